// `loopsy pull <peer> <src> <dest>`: copies a file from a machine (`local` is this one) to this machine.
import fs from 'node:fs';
import path from 'node:path';
import { Option } from 'clipanion';
import { pullFile } from '@loopsy/client-sdk/node';
import { BaseCommand } from '../../base-command.js';
import { formatBytes, peerInput, remotePathArg } from './format.js';
import { TransferProgressLine } from './transfer-progress.js';

export class FilesPullCommand extends BaseCommand {
  static override paths = [['pull']];
  static override usage = BaseCommand.Usage({
    description: 'Copy a file from a machine',
    details: `
      Fetches <src> from <peer> (\`local\` names this machine) into <dest> here. A <dest> that ends with / or
      is a folder receives the file under its own name. The download goes to a temp file beside <dest> and is
      renamed into place only when its size and SHA-256 match what the daemon sent. An existing <dest> is
      replaced only with --overwrite.

      A progress line (rate, ETA) is drawn on stderr when it is a terminal.
    `,
    examples: [['Fetch a log from this machine', '$0 pull local ~/app/server.log ./']],
  });

  peer = Option.String({ name: 'peer' });
  src = Option.String({ name: 'src' });
  dest = Option.String({ name: 'dest' });
  overwrite = Option.Boolean('--overwrite', false, { description: 'Replace an existing file' });

  protected async run(): Promise<void> {
    const remotePath = remotePathArg(this.peer, this.src, process.cwd());
    const localPath = this.target(remotePath);
    await this.withLocalClient(async (client) => {
      const progress = new TransferProgressLine(this.context.stderr);
      const started = performance.now();
      const result = await pullFile(client, {
        remotePath,
        localPath,
        overwrite: this.overwrite,
        onProgress: (p) => progress.update(p),
        ...peerInput(this.peer),
      }).finally(() => progress.done());
      const seconds = (performance.now() - started) / 1000;
      this.output(
        { peer: this.peer, ...result, seconds: Math.round(seconds * 1000) / 1000 },
        `Pulled ${this.peer}:${result.remotePath} to ${result.path} (${formatBytes(result.size)} in ${seconds.toFixed(1)} s, sha256 ${result.sha256.slice(0, 12)}…).`,
      );
    });
  }

  private target(remotePath: string): string {
    const dest = path.resolve(this.dest);
    const isFolder =
      this.dest.endsWith('/') || fs.statSync(dest, { throwIfNoEntry: false })?.isDirectory();
    return isFolder ? path.join(dest, path.basename(remotePath)) : dest;
  }
}
