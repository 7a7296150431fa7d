// `loopsy msg outbox`: the messages sent from this machine that have not expired, with their read receipts.
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';
import { formatTime, peerInput, peerOption } from '../context/options.js';
import { MESSAGE_HEADER, messageLine } from './options.js';

export class MsgOutboxCommand extends BaseCommand {
  static override paths = [['msg', 'outbox']];
  static override usage = BaseCommand.Usage({
    description: 'List messages you sent, and whether they were acknowledged',
  });

  to = Option.String('--to', { description: 'Only to this recipient' });
  peer = peerOption();

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const result = await client.messages.outbox.query({
        limit: 1000,
        ...(this.to !== undefined ? { to: this.to } : {}),
        ...peerInput(this.peer),
      });
      this.output(result, () =>
        result.messages.length === 0
          ? 'No sent messages (outbox copies expire with the message).'
          : [
              `${MESSAGE_HEADER.replace('FROM', 'TO  ')}  ACKED`,
              ...result.messages.map(
                (m) =>
                  `${messageLine({ ...m, from: m.to })}  ${m.ackedAt !== null ? formatTime(m.ackedAt) : m.acked ? 'yes' : 'no'}`,
              ),
            ].join('\n'),
      );
    });
  }
}
