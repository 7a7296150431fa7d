// Owns listing one folder a page at a time: names are streamed from opendir, only the smallest `limit` names after
// the cursor are kept (a bounded heap), and only those are lstat'ed. Memory is O(limit), whatever the folder holds.
import fsp from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { AnchoredDir } from './anchored-dir.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface FileEntry {
  name: string;
  type: EntryType;
  size: number;
  mtimeMs: number;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
}

export interface ListingPage {
  entries: FileEntry[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export function entryType(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Names in code-unit order: the order pages are cut in, stable across calls. */
const before = (a: string, b: string): boolean => a < b;

/** A max-heap of names: its top is the largest kept name, evicted when a smaller one arrives. */
class NameHeap {
  readonly items: string[] = [];

  push(name: string): void {
    const a = this.items;
    a.push(name);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[p] as string, a[i] as string)) break;
      [a[p], a[i]] = [a[i] as string, a[p] as string];
      i = p;
    }
  }

  top(): string | undefined {
    return this.items[0];
  }

  replaceTop(name: string): void {
    const a = this.items;
    a[0] = name;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[m] as string, a[l] as string)) m = l;
      if (r < a.length && before(a[m] as string, a[r] as string)) m = r;
      if (m === i) return;
      [a[m], a[i]] = [a[i] as string, a[m] as string];
      i = m;
    }
  }
}

/** The page of `dir` that starts after `cursor` (exclusive), sorted by name. */
export async function listPage(
  dir: AnchoredDir,
  cursor: string | undefined,
  limit: number,
): Promise<ListingPage> {
  // One more than the page, to know whether another page follows.
  const keep = limit + 1;
  const heap = new NameHeap();
  const handle = await fsp.opendir(dir.self(), { bufferSize: 256 });
  for await (const dirent of handle) {
    const name = dirent.name;
    if (cursor !== undefined && !before(cursor, name)) continue;
    if (heap.items.length < keep) heap.push(name);
    else if (before(name, heap.top() as string)) heap.replaceTop(name);
  }
  const names = heap.items.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const page = names.slice(0, limit);
  const entries: FileEntry[] = [];
  // A few lstat calls at a time: quick on a big page, without flooding the thread pool.
  for (let i = 0; i < page.length; i += 32) {
    const stats = await Promise.all(
      page.slice(i, i + 32).map((name) => fsp.lstat(dir.child(name)).catch(() => undefined)),
    );
    stats.forEach((st, j) => {
      const name = page[i + j];
      // Gone since it was read: the page is one shorter, the cursor still right.
      if (!st || name === undefined) return;
      entries.push({
        name,
        type: entryType(st),
        size: st.size,
        mtimeMs: st.mtimeMs,
        mode: st.mode & 0o7777,
      });
    });
  }
  const last = page.at(-1);
  return names.length > limit && last !== undefined ? { entries, nextCursor: last } : { entries };
}
