// Owns starting, finding and stopping the daemon process that serves a data folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLoopsyClient } from '@loopsy/client-sdk/node';
import { dataPaths, isProcessAlive, liveDaemonState, type DaemonState } from '@loopsy/daemon';
import { CliError } from './base-command.js';

const require = createRequire(import.meta.url);

/** Answers whether the daemon at `url` is up and is the one we expect (same node id). */
export async function healthy(url: string, nodeId?: string): Promise<boolean> {
  const client = createLoopsyClient({ url, apiKey: '' });
  try {
    const health = await client.system.health.query(undefined, {
      signal: AbortSignal.timeout(2000),
    });
    return nodeId === undefined || health.nodeId === nodeId;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** The running daemon for `home`, or undefined (a stale record of a dead process is cleaned up). */
export async function findRunning(home: string): Promise<DaemonState | undefined> {
  const { state } = liveDaemonState(home);
  if (!state) return undefined;
  return (await healthy(state.url, state.nodeId)) ? state : undefined;
}

export interface SpawnOptions {
  port?: number;
  host?: string;
  timeoutMs?: number;
}

/** Starts a detached daemon and returns once it answers health; its output goes to logs/daemon.log. */
export async function spawnDaemon(home: string, opts: SpawnOptions = {}): Promise<DaemonState> {
  const paths = dataPaths(home);
  fs.mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  const log = fs.openSync(paths.daemonLog, 'a', 0o600);
  const logStart = fs.fstatSync(log).size;
  const args = [require.resolve('@loopsy/daemon/bin'), '--home', home];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.host !== undefined) args.push('--host', opts.host);
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, LOOPSY_HOME: home },
  });
  fs.closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();

  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new CliError(
        `The daemon exited during start-up (code ${exited}): ${logTail(paths.daemonLog, logStart)}`,
      );
    }
    const { state } = liveDaemonState(home);
    if (state && state.pid === child.pid && (await healthy(state.url, state.nodeId))) return state;
    await sleep(50);
  }
  if (child.pid !== undefined && isProcessAlive(child.pid)) process.kill(child.pid, 'SIGTERM');
  throw new CliError(
    `The daemon did not answer within ${Math.round((opts.timeoutMs ?? 20_000) / 1000)} s; see ${paths.daemonLog}.`,
  );
}

/** Stops the daemon with SIGTERM (SIGKILL after `timeoutMs`); returns the pid it stopped, if any. */
export async function stopDaemon(home: string, timeoutMs = 10_000): Promise<number | undefined> {
  const { state } = liveDaemonState(home);
  if (!state) return undefined;
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(state.pid)) {
    if (Date.now() > deadline) {
      process.kill(state.pid, 'SIGKILL');
      await sleep(100);
      fs.rmSync(dataPaths(home).state, { force: true });
      fs.rmSync(dataPaths(home).lock, { force: true });
      break;
    }
    await sleep(50);
  }
  return state.pid;
}

function logTail(file: string, from: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8').slice(from).trim();
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-5).join('\n') || '(no output)';
  } catch {
    return '(no log)';
  }
}
