// `loopsy context watch`: prints changes to the shared store as they happen, until Ctrl-C (or --count).
import { Option } from 'clipanion';
import type { RouterOutputs } from '@loopsy/client-sdk/node';
import { BaseCommand } from '../../base-command.js';
import { followStream, type StreamEventOf } from '../../stream-events.js';
import { countOption, peerInput, peerOption, preview } from './options.js';

type ChangeEvent = StreamEventOf<RouterOutputs['context']['onChange']>;

export class ContextWatchCommand extends BaseCommand {
  static override paths = [['context', 'watch']];
  static override usage = BaseCommand.Usage({
    description: 'Print changes to shared values as they happen',
    details: `
      Follows set, delete and expire events until Ctrl-C, or until --count changes were seen (a script can wait
      for the next change with --count 1). With --json: one JSON object per line, starting with
      {"type":"ready"} once the watch is in place; a "reset" line means changes were missed (list again).
    `,
    examples: [['Wait for the build to report', '$0 context watch --prefix build: --count 1']],
  });

  prefix = Option.String('--prefix', { description: 'Only keys that start with this' });
  count = countOption('changes');
  peer = peerOption();

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      let seen = 0;
      await followStream<ChangeEvent>(
        (handlers) =>
          client.context.onChange.subscribe(
            {
              ...(this.prefix !== undefined ? { prefix: this.prefix } : {}),
              ...peerInput(this.peer),
            },
            handlers,
          ),
        (id, event) => {
          this.print(id, event);
          if (event.type === 'set' || event.type === 'delete' || event.type === 'expire') seen++;
          return this.count !== undefined && seen >= this.count;
        },
      );
    });
  }

  private print(id: string, event: ChangeEvent): void {
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify({ id, ...event })}\n`);
      return;
    }
    switch (event.type) {
      case 'ready':
        return;
      case 'set':
        this.context.stdout.write(
          `set     ${event.key} = ${preview(event.entry.value)} (by ${event.entry.updatedBy})\n`,
        );
        return;
      case 'delete':
      case 'expire':
        this.context.stdout.write(`${event.type.padEnd(7)} ${event.key}\n`);
        return;
      case 'reset':
        this.context.stderr.write(`loopsy: ${event.message}\n`);
        return;
    }
  }
}
