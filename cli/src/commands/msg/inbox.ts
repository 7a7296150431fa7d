// `loopsy msg inbox`: the messages waiting for this machine (or one of its agents), oldest first.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../../base-command.js';
import { peerInput, peerOption } from '../context/options.js';
import { asInput, asOption, MESSAGE_HEADER, messageLine } from './options.js';

const TYPES = ['chat', 'request', 'response', 'ack', 'broadcast'] as const;

export class MsgInboxCommand extends BaseCommand {
  static override paths = [['msg', 'inbox']];
  static override usage = BaseCommand.Usage({
    description: 'List messages waiting for you',
    details:
      'Pending (unacknowledged) messages, oldest first; --all adds the ones already acknowledged. Acknowledge with `loopsy msg ack <id>`.',
  });

  all = Option.Boolean('--all', false, { description: 'Include messages already acknowledged' });
  type = Option.String('--type', { description: 'Only this type', validator: t.isEnum(TYPES) });
  from = Option.String('--from', {
    description: 'Only from this sender (a hostname matches every agent on it)',
  });
  limit = Option.String('--limit', '100', {
    description: 'At most this many (default 100, up to 1000)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 1000)]),
  });
  as = asOption();
  peer = peerOption();

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const result = await client.messages.inbox.query({
        includeRead: this.all,
        limit: this.limit,
        ...(this.type !== undefined ? { type: this.type } : {}),
        ...(this.from !== undefined ? { from: this.from } : {}),
        ...asInput(this.as),
        ...peerInput(this.peer),
      });
      this.output(result, () => {
        const lines =
          result.messages.length === 0
            ? [this.all ? 'No messages.' : 'No pending messages.']
            : [
                `${MESSAGE_HEADER}  ${this.all ? 'READ' : ''}`.trimEnd(),
                ...result.messages.map(
                  (m) =>
                    `${messageLine(m)}${this.all ? `  ${m.readAt !== null ? 'yes' : 'no'}` : ''}`,
                ),
              ];
        if (result.hasMore) lines.push(`(more: raise --limit or acknowledge these first)`);
        for (const s of result.skipped) lines.push(`skipped ${s.key}: ${s.reason}`);
        return lines.join('\n');
      });
    });
  }
}
