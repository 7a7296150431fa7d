// `loopsy ls <peer> [path]`: a folder on a machine, as `ls -l` shows it (every page of it).
import { Option } from 'clipanion';
import type { RouterOutputs } from '@loopsy/client-sdk/node';
import { BaseCommand } from '../../base-command.js';
import { formatMode, formatTime, peerInput, remotePathArg } from './format.js';

type Entry = RouterOutputs['files']['list']['entries'][number];

export class FilesListCommand extends BaseCommand {
  static override paths = [['ls']];
  static override usage = BaseCommand.Usage({
    description: 'List a folder on a machine',
    details: `
      Lists [path] on <peer> (\`local\` names this machine; default: the home folder of the daemon's user
      there), sorted by name, with type and permissions, size and modification time. Links are shown as links
      (never followed). With --json: { path, entries: [{ name, type, size, mtimeMs, mode }] }.
    `,
    examples: [
      ['Your home folder here', '$0 ls local'],
      ['A folder as JSON', '$0 ls local ~/projects --json'],
    ],
  });

  peer = Option.String({ name: 'peer' });
  folder = Option.String({ required: false, name: 'path' });

  protected async run(): Promise<void> {
    const target = remotePathArg(this.peer, this.folder ?? '~', process.cwd());
    await this.withLocalClient(async (client) => {
      const gathered: Entry[] = [];
      let listed = '';
      let shown = 0;
      let cursor: string | undefined;
      do {
        const page = await client.files.list.query({
          path: target,
          limit: 1000,
          ...(cursor !== undefined ? { cursor } : {}),
          ...peerInput(this.peer),
        });
        // People see each page as it comes; --json gathers them into one document.
        if (this.json) gathered.push(...page.entries);
        else this.print(page.entries, listed === '' ? page.path : undefined);
        listed = page.path;
        shown += page.entries.length;
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      if (this.json) this.output({ path: listed, entries: gathered }, '');
      else if (shown === 0) this.context.stdout.write('(empty)\n');
    });
  }

  private print(entries: Entry[], header: string | undefined): void {
    if (header !== undefined) this.context.stdout.write(`${header}:\n`);
    const now = Date.now();
    const width = Math.max(5, ...entries.map((e) => String(e.size).length));
    for (const e of entries) {
      const name = e.type === 'dir' ? `${e.name}/` : e.type === 'symlink' ? `${e.name}@` : e.name;
      this.context.stdout.write(
        `${formatMode(e.type, e.mode)}  ${String(e.size).padStart(width)}  ${formatTime(e.mtimeMs, now)}  ${name}\n`,
      );
    }
  }
}
