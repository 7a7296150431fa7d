// `loopsy context list`: the entries of the shared store, by key, every page (or the first --limit).
import { Option } from 'clipanion';
import * as t from 'typanion';
import type { RouterOutputs } from '@loopsy/client-sdk/node';
import { BaseCommand } from '../../base-command.js';
import { formatExpiry, formatTime, peerInput, peerOption, preview } from './options.js';

type Entry = RouterOutputs['context']['get'];

export class ContextListCommand extends BaseCommand {
  static override paths = [['context', 'list']];
  static override usage = BaseCommand.Usage({
    description: 'List shared values',
    examples: [['List the messages waiting for this machine', '$0 context list --prefix inbox:']],
  });

  prefix = Option.String('--prefix', { description: 'Only keys that start with this' });
  limit = Option.String('--limit', {
    description: 'At most this many entries (default: all)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 1_000_000)]),
  });
  peer = peerOption();

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const entries: Entry[] = [];
      const max = this.limit ?? Infinity;
      let cursor: string | undefined;
      do {
        const page = await client.context.list.query({
          limit: Math.min(1000, max - entries.length),
          ...(this.prefix !== undefined ? { prefix: this.prefix } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          ...peerInput(this.peer),
        });
        entries.push(...page.entries);
        cursor = page.nextCursor;
      } while (cursor !== undefined && entries.length < max);
      this.output({ entries }, () =>
        entries.length === 0
          ? `No entries${this.prefix !== undefined ? ` starting with "${this.prefix}"` : ''}.`
          : [
              `${'KEY'.padEnd(40)}  ${'BYTES'.padStart(8)}  ${'UPDATED'.padEnd(22)}  ${'EXPIRES'.padEnd(22)}  VALUE`,
              ...entries.map(
                (e) =>
                  `${e.key.padEnd(40)}  ${String(Buffer.byteLength(e.value)).padStart(8)}  ${formatTime(e.updatedAt).padEnd(22)}  ${formatExpiry(e.expiresAt).padEnd(22)}  ${preview(e.value, 40)}`,
              ),
            ].join('\n'),
      );
    });
  }
}
