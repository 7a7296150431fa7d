// Owns the record of a running daemon ({pid, port, url} in daemon.json) and the lock that keeps it single.
import fs from 'node:fs';
import { z } from 'zod';
import { dataPaths } from '../paths.js';
import { ensurePrivateDir, readFileIfExists, writePrivateFileAtomic } from './private-files.js';

export const DaemonStateSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65535),
  host: z.string(),
  url: z.string(),
  nodeId: z.string(),
  version: z.string(),
  startedAt: z.string(),
  socket: z.string().optional(),
});
export type DaemonState = z.infer<typeof DaemonStateSchema>;

export class AlreadyRunning extends Error {
  override readonly name = 'AlreadyRunning';
  constructor(readonly pid: number) {
    super(
      `A Loopsy daemon is already running for this folder (pid ${pid}). Stop it with \`loopsy stop\`.`,
    );
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readDaemonState(home: string): DaemonState | undefined {
  const text = readFileIfExists(dataPaths(home).state);
  if (text === undefined) return undefined;
  try {
    const parsed = DaemonStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writeDaemonState(home: string, state: DaemonState): void {
  writePrivateFileAtomic(dataPaths(home).state, `${JSON.stringify(state, null, 2)}\n`);
}

export function removeDaemonState(home: string, pid: number): void {
  const state = readDaemonState(home);
  if (state?.pid === pid) fs.rmSync(dataPaths(home).state, { force: true });
}

/** Takes the folder's lock for this process; a lock left by a dead process is taken over. */
export function acquireDaemonLock(home: string, pid = process.pid): void {
  const file = dataPaths(home).lock;
  ensurePrivateDir(home);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(pid));
      fs.closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileIfExists(file) ?? '', 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== pid && isProcessAlive(holder)) {
        throw new AlreadyRunning(holder);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the daemon lock ${file}; remove it if no daemon is running.`);
}

export function releaseDaemonLock(home: string, pid = process.pid): void {
  const file = dataPaths(home).lock;
  if (readFileIfExists(file)?.trim() === String(pid)) fs.rmSync(file, { force: true });
}

/** The state of a daemon that is really there: a record whose process is gone is removed and ignored. */
export function liveDaemonState(home: string): {
  state: DaemonState | undefined;
  staleRemoved: boolean;
} {
  const state = readDaemonState(home);
  if (!state) return { state: undefined, staleRemoved: false };
  if (isProcessAlive(state.pid)) return { state, staleRemoved: false };
  fs.rmSync(dataPaths(home).state, { force: true });
  return { state: undefined, staleRemoved: true };
}
