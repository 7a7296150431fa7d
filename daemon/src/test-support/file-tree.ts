// Test helper for the files procedures: a temp folder with a shared part and a part outside it, so tests never
// rely on (or touch) the real home folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';

export interface ShareTree {
  /** The temp folder holding everything (real path). */
  root: string;
  /** The shared folder: transfer.allowedPaths. */
  allowed: string;
  /** Inside `allowed`, but denied: transfer.deniedPaths. */
  denied: string;
  /** Beside `allowed`, not shared. */
  outside: string;
  /** Puts the tree into a config (allowedPaths / deniedPaths). */
  configure(config: Config): void;
  cleanup(): void;
}

export function makeShareTree(): ShareTree {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-files-')));
  const allowed = path.join(root, 'allowed');
  const denied = path.join(allowed, 'secret');
  const outside = path.join(root, 'outside');
  for (const dir of [allowed, denied, outside]) fs.mkdirSync(dir, { recursive: true });
  return {
    root,
    allowed,
    denied,
    outside,
    configure(config) {
      config.transfer.allowedPaths = [allowed];
      config.transfer.deniedPaths = [denied];
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
