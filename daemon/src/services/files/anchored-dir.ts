// Owns race-free access to a checked folder: it is opened once (O_NOFOLLOW), its location verified, and every
// later access goes through that open folder, so a symlink swapped into the path afterwards is never followed.
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Conflict } from '../../errors.js';

const { O_RDONLY, O_NOFOLLOW } = fs.constants;
const O_DIRECTORY = fs.constants.O_DIRECTORY ?? 0;

/**
 * On Linux `/proc/self/fd/<n>/<name>` walks through the open folder itself (what openat(2) does), which Node
 * does not offer otherwise. Elsewhere the real path is used and re-verified right before each use.
 */
const PROC_FD =
  process.platform === 'linux' && fs.existsSync('/proc/self/fd') ? '/proc/self/fd' : '';

function moved(realPath: string): Conflict {
  return new Conflict(
    `The folder ${JSON.stringify(realPath)} changed while it was being used (it was moved or replaced by a link); try again.`,
  );
}

export class AnchoredDir {
  private constructor(
    readonly realPath: string,
    private readonly handle: FileHandle,
    private readonly ino: bigint,
    private readonly dev: bigint,
  ) {}

  /**
   * Opens the folder at `realPath` (a real path the policy admitted), through `via` when given (a path inside
   * an anchor), and checks it is really there.
   */
  static async open(realPath: string, via = realPath): Promise<AnchoredDir> {
    const handle = await fsp.open(via, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      const st = await handle.stat({ bigint: true });
      if (!st.isDirectory()) throw moved(realPath);
      const dir = new AnchoredDir(realPath, handle, st.ino, st.dev);
      await dir.verify();
      return dir;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The folder itself, as a path for fs calls. */
  self(): string {
    return PROC_FD ? `${PROC_FD}/${this.handle.fd}` : this.realPath;
  }

  /** A name inside the folder, as a path for fs calls (never a path through a swappable parent on Linux). */
  child(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) {
      throw new TypeError(`not a plain name: ${JSON.stringify(name)}`);
    }
    return `${this.self()}/${name}`;
  }

  /**
   * Checks the open folder is still the one at `realPath`. On Linux the kernel says where the descriptor points;
   * elsewhere the path is resolved again and compared by device and inode.
   */
  async verify(): Promise<void> {
    if (PROC_FD) {
      const where = await fsp.readlink(this.self()).catch(() => '');
      if (where !== this.realPath) throw moved(this.realPath);
      return;
    }
    const again = await fsp.realpath(this.realPath).catch(() => '');
    const st = again === this.realPath ? await fsp.lstat(again, { bigint: true }) : undefined;
    if (!st || st.ino !== this.ino || st.dev !== this.dev) throw moved(this.realPath);
  }

  /** Opens (or creates) the sub-folder `name` as a new anchor. */
  async openChild(name: string, create: boolean): Promise<AnchoredDir> {
    if (create) await fsp.mkdir(this.child(name));
    else await this.verify();
    return AnchoredDir.open(path.join(this.realPath, name), this.child(name)).then(async (dir) => {
      // The new anchor must sit inside this one: compare device and the parent's inode through the child.
      const parent = await fsp.stat(`${dir.self()}/..`, { bigint: true }).catch(() => undefined);
      if (!parent || parent.ino !== this.ino || parent.dev !== this.dev) {
        await dir.close();
        throw moved(path.join(this.realPath, name));
      }
      return dir;
    });
  }

  /** Makes renames and new names in this folder durable (fsync of the folder). */
  async sync(): Promise<void> {
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
