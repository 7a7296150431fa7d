// `loopsy context get <key>`: prints one value as it is (or the whole entry with --json).
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';
import { peerInput, peerOption } from './options.js';

export class ContextGetCommand extends BaseCommand {
  static override paths = [['context', 'get']];
  static override usage = BaseCommand.Usage({
    description: 'Print a shared value',
    details:
      'Prints the value alone, for scripts; --json prints the entry (times, expiry, writer).',
  });

  peer = peerOption();
  key = Option.String({ name: 'key' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const entry = await client.context.get.query({ key: this.key, ...peerInput(this.peer) });
      if (this.json) this.output(entry, '');
      else this.context.stdout.write(entry.value.endsWith('\n') ? entry.value : `${entry.value}\n`);
    });
  }
}
