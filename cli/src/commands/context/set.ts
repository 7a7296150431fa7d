// `loopsy context set <key> <value>`: writes one entry of the shared key/value store (`-` reads the value from stdin).
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';
import { readStdinText } from '../../stdin-text.js';
import { formatExpiry, peerInput, peerOption, ttlOption } from './options.js';

export class ContextSetCommand extends BaseCommand {
  static override paths = [['context', 'set']];
  static override usage = BaseCommand.Usage({
    description: 'Set a shared value',
    details: `
      Keys are at most 256 characters of A-Z a-z 0-9 . _ : / @ + -; values are UTF-8 text up to 1 MiB.
      A value of \`-\` is read from standard input.
    `,
    examples: [
      ['Set a value', '$0 context set build:status green'],
      ['Set a value that expires in an hour', '$0 context set lock:deploy leo --ttl 3600'],
      ['Store a file as the value', '$0 context set notes:today - < notes.md'],
    ],
  });

  ttl = ttlOption('The entry');
  peer = peerOption();
  key = Option.String({ name: 'key' });
  value = Option.String({ name: 'value' });

  protected async run(): Promise<void> {
    const value =
      this.value === '-'
        ? await readStdinText(this.context.stdin, 1024 * 1024, 'The value')
        : this.value;
    return this.withLocalClient(async (client) => {
      const entry = await client.context.set.mutate({
        key: this.key,
        value,
        ...(this.ttl !== undefined ? { ttlSeconds: this.ttl } : {}),
        ...peerInput(this.peer),
      });
      this.output(
        entry,
        `Set ${entry.key} (${Buffer.byteLength(entry.value)} bytes, expires: ${formatExpiry(entry.expiresAt)}).`,
      );
    });
  }
}
