// `loopsy send <peer> <src> <dest>`: copies a local file to a machine (`local` is this one), checked end to end.
import path from 'node:path';
import { Option } from 'clipanion';
import { pushFile, type LoopsyClient } from '@loopsy/client-sdk/node';
import { BaseCommand } from '../../base-command.js';
import { formatBytes, peerInput, remotePathArg } from './format.js';
import { TransferProgressLine } from './transfer-progress.js';

export class FilesSendCommand extends BaseCommand {
  static override paths = [['send']];
  static override usage = BaseCommand.Usage({
    description: 'Copy a file to a machine',
    details: `
      Sends <src> (a file on this machine) to <dest> on <peer>; \`local\` names this machine. A <dest> that
      ends with / or names a folder receives the file under its own name. The file lands in one piece or not
      at all: the daemon checks its size and SHA-256 before renaming it into place. Paths on another machine
      are absolute or start with ~/ (that machine's home). Only folders in its transfer.allowedPaths are
      reachable.

      A progress line (rate, ETA) is drawn on stderr when it is a terminal.
    `,
    examples: [
      ['Send a file into a folder on this machine', '$0 send local ./build.tar.gz ~/incoming/'],
      [
        'Replace a file, creating its folders',
        '$0 send local notes.md ~/docs/new/notes.md --overwrite --mkdirs',
      ],
    ],
  });

  peer = Option.String({ name: 'peer' });
  src = Option.String({ name: 'src' });
  dest = Option.String({ name: 'dest' });
  overwrite = Option.Boolean('--overwrite', false, { description: 'Replace an existing file' });
  mkdirs = Option.Boolean('--mkdirs', false, { description: 'Create missing folders' });

  protected async run(): Promise<void> {
    const source = path.resolve(this.src);
    await this.withLocalClient(async (client) => {
      const remotePath = await this.target(client, source);
      const progress = new TransferProgressLine(this.context.stderr);
      const started = performance.now();
      const result = await pushFile(client, {
        localPath: source,
        remotePath,
        overwrite: this.overwrite,
        mkdirs: this.mkdirs,
        onProgress: (p) => progress.update(p),
        ...peerInput(this.peer),
      }).finally(() => progress.done());
      const seconds = (performance.now() - started) / 1000;
      this.output(
        { peer: this.peer, source, ...result, seconds: Math.round(seconds * 1000) / 1000 },
        `Sent ${source} to ${this.peer}:${result.path} (${formatBytes(result.size)} in ${seconds.toFixed(1)} s, sha256 ${result.sha256.slice(0, 12)}…).`,
      );
    });
  }

  /** Into a folder (a trailing / or an existing folder there): under the source's own name. */
  private async target(client: LoopsyClient, source: string): Promise<string> {
    const dest = remotePathArg(this.peer, this.dest, process.cwd());
    const name = path.basename(source);
    if (dest.endsWith('/')) return `${dest}${name}`;
    const st = await client.files.stat
      .query({ path: dest, ...peerInput(this.peer) })
      .catch(() => undefined);
    return st?.type === 'dir' ? `${st.path}/${name}` : dest;
  }
}
