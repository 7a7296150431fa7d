// `loopsy msg ack <id>`: marks a message read and leaves the read receipt on the sender's machine.
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';
import { peerInput, peerOption } from '../context/options.js';
import { asInput, asOption } from './options.js';

export class MsgAckCommand extends BaseCommand {
  static override paths = [['msg', 'ack']];
  static override usage = BaseCommand.Usage({
    description: 'Acknowledge a message (the sender sees a read receipt)',
  });

  as = asOption();
  peer = peerOption();
  id = Option.String({ name: 'id' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const result = await client.messages.ack.mutate({
        id: this.id,
        ...asInput(this.as),
        ...peerInput(this.peer),
      });
      this.output(result, () => {
        const what = result.alreadyRead
          ? `${result.id} was already acknowledged`
          : `Acknowledged ${result.id}`;
        return result.receipt.stored
          ? `${what}; the read receipt is on ${result.receipt.on}.`
          : `${what}; no read receipt: ${result.receipt.error ?? `${result.receipt.on} was not reached`}`;
      });
    });
  }
}
