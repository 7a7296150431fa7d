// `loopsy context delete <key>`: removes one entry of the shared store.
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';
import { peerInput, peerOption } from './options.js';

export class ContextDeleteCommand extends BaseCommand {
  static override paths = [['context', 'delete']];
  static override usage = BaseCommand.Usage({
    description: 'Delete a shared value',
  });

  peer = peerOption();
  key = Option.String({ name: 'key' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const result = await client.context.delete.mutate({ key: this.key, ...peerInput(this.peer) });
      this.output({ key: this.key, ...result }, `Deleted ${this.key}.`);
    });
  }
}
