// `loopsy shell` and `loopsy attach` driven as a person would: the real CLI inside a real PTY.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetachKeys } from '../../terminal-attach.js';
import { LOOPSY_BIN, runProcess } from '../../test-support/run-cli.js';

let home: string;
let env: Record<string, string>;
beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-shell-'));
  env = { LOOPSY_HOME: home };
  const start = await runProcess(['start', '--port', '0'], env);
  expect(start.code, start.stderr).toBe(0);
});
afterAll(async () => {
  await runProcess(['stop'], env);
  fs.rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI in a PTY and collects what it prints. */
function runInPty(args: string[]) {
  const term = pty.spawn(process.execPath, [LOOPSY_BIN, ...args], {
    cols: 100,
    rows: 30,
    env: { ...process.env, ...env, SHELL: '/bin/sh' },
  });
  let out = '';
  term.onData((d) => (out += d));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    term,
    exited,
    output: () => out,
    async waitFor(pattern: RegExp, ms = 15_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pattern.test(out)) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${pattern}; got: ${JSON.stringify(out.slice(-500))}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

describe('detach keys', () => {
  it('Ctrl-A d detaches, Ctrl-A Ctrl-A sends one Ctrl-A, anything else passes through', () => {
    const k = new DetachKeys();
    expect(k.feed(Buffer.from('ab'))).toEqual({ forward: Buffer.from('ab'), detach: false });
    expect(k.feed(Buffer.from([0x01, 0x01]))).toEqual({
      forward: Buffer.from([0x01]),
      detach: false,
    });
    expect(k.feed(Buffer.from([0x01]))).toEqual({ forward: Buffer.alloc(0), detach: false });
    expect(k.feed(Buffer.from('x'))).toEqual({ forward: Buffer.from([0x01, 0x78]), detach: false });
    expect(k.feed(Buffer.from([0x68, 0x01, 0x64, 0x7a]))).toEqual({
      forward: Buffer.from('h'),
      detach: true,
    });
  });
});

describe('loopsy shell / attach / sessions', () => {
  it('runs a TUI, detaches, and a second terminal reattaches to the same screen', async () => {
    const first = runInPty(['shell', '--name', 'tui']);
    first.term.write('echo $((6*7))\r');
    await first.waitFor(/\D42\r+\n/);
    first.term.write("printf '\\033[2J\\033[5;10HFULLSCREEN-MARK\\033[20;1H'; sleep 600\r");
    await first.waitFor(/FULLSCREEN-MARK/);
    first.term.write('\x01d');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('detached from tui');

    const list = await runProcess(['sessions', '--json'], env);
    const sessions = JSON.parse(list.stdout) as Array<{
      name: string;
      state: string;
      viewers: number;
    }>;
    expect(sessions).toContainEqual(expect.objectContaining({ name: 'tui', state: 'running' }));

    const second = runInPty(['attach', 'tui']);
    await second.waitFor(/FULLSCREEN-MARK/);
    second.term.write('\x03');
    second.term.write('exit 5\r');
    expect(await second.exited).toBe(5);
    expect(second.output()).toContain('tui exited with code 5');

    const removed = await runProcess(['sessions', 'remove', 'tui', '--json'], env);
    expect(removed.code).toBe(0);
    expect(JSON.parse((await runProcess(['sessions', '--json'], env)).stdout)).toEqual([]);
  });

  it('says clearly when the session does not exist', async () => {
    const res = await runProcess(['attach', 'no-such-session'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/No terminal session "no-such-session"/);
  });
});
