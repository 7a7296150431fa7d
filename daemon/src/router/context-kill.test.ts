// Fault test: a real daemon process takes a burst of context writes and is killed with SIGKILL mid-burst;
// after a restart on the same data folder, every write it acknowledged is there.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppRouter } from './index.js';
import { makeTempHome, type TempHome } from '../test-support/index.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bin.js');
const WRITERS = 16;
const KILL_AFTER = 300;

const children: ChildProcess[] = [];
let temp: TempHome | undefined;
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  temp?.cleanup();
});

/** Starts `node dist/bin.js` on port 0 and resolves with its URL once it says where it listens. */
function startDaemonProcess(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, '--home', home, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOOPSY_HOME: home },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`daemon exited (${code}): ${err}`)));
  });
}

function client(url: string, apiKey: string) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${apiKey}` } })],
  });
}

const valueOf = (key: string): string => `${key}|${'x'.repeat(1000)}`;

describe('context durability', () => {
  it('keeps every acknowledged write across kill -9 of the daemon', async () => {
    temp = makeTempHome();
    const first = await startDaemonProcess(temp.home);
    const api = client(first.url, temp.apiKey);
    const acked = new Set<string>();
    let killed = false;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.child.once('exit', (_code, signal) => resolve(signal)),
    );

    // Writers keep writing until their next call fails because the daemon is gone.
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let n = 0; ; n++) {
        const key = `burst:${w}:${n}`;
        try {
          await api.context.set.mutate({ key, value: valueOf(key) });
        } catch {
          if (killed) return;
          throw new Error(`write ${key} failed before the kill`);
        }
        acked.add(key);
        if (acked.size >= KILL_AFTER && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    });
    await Promise.all(writers);
    expect(await exited).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);

    const second = await startDaemonProcess(temp.home);
    const after = client(second.url, temp.apiKey);
    const stored = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await after.context.list.query({
        prefix: 'burst:',
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      for (const e of page.entries) stored.set(e.key, e.value);
      cursor = page.nextCursor;
    } while (cursor);

    const lost = [...acked].filter((k) => stored.get(k) !== valueOf(k));
    expect(lost).toEqual([]);
    // Writes in flight at the kill may or may not have landed, but nothing else did.
    expect(stored.size).toBeLessThanOrEqual(acked.size + WRITERS);
    expect((await after.system.status.query()).context.entries).toBe(stored.size);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
