// Auto-approve as the laptop's user sees it: a phone asks, `loopsy sessions approvals|approve|deny` decide.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInProcess } from '../../test-support/run-cli.js';

let d: TestDaemon;
let env: Record<string, string>;
let bin: string;
let phone: LoopsyClient;
beforeAll(async () => {
  d = await startTestDaemon();
  fs.writeFileSync(
    path.join(d.home, 'daemon.json'),
    JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
  );
  env = { LOOPSY_HOME: d.home };
  // A stand-in for Claude Code that prints the arguments it got and waits.
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-agents-'));
  fs.writeFileSync(path.join(bin, 'claude'), '#!/bin/sh\necho "FAKE-claude ARGV: $*"\nexec cat\n', {
    mode: 0o755,
  });
  const { token } = d.daemon.services.credentials.issue('phone', 'pixel');
  phone = createLoopsyClient({ url: d.url, apiKey: token });
});
afterAll(async () => {
  await phone.close();
  await d.stop();
  fs.rmSync(bin, { recursive: true, force: true });
});
afterEach(() => vi.unstubAllEnvs());

const agentPath = () => ({ PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` });

async function screenOf(id: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = (await d.daemon.services.terminals.get(id).screenText()).join('\n');
    if (pattern.test(lines) || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('loopsy sessions approvals / approve / deny', () => {
  it('lists what a phone asked for, approves it, and the agent runs with its flag', async () => {
    const asked = await phone.terminal.requestAutoApprove.mutate({
      agent: 'claude',
      cwd: bin,
      env: agentPath(),
    });

    const human = await runInProcess(['sessions', 'approvals'], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`${asked.id}  pixel asks for claude with auto-approve`);
    expect(human.stdout).toContain(`in ${bin}`);
    expect(human.stdout).toContain(
      `runs ${path.join(bin, 'claude')} --dangerously-skip-permissions`,
    );

    const listed = JSON.parse(
      (await runInProcess(['sessions', 'approvals', '--json'], env)).stdout,
    ) as Array<{
      id: string;
      requestedBy: string;
    }>;
    expect(listed).toEqual([expect.objectContaining({ id: asked.id, requestedBy: 'pixel' })]);

    const approved = await runInProcess(['sessions', 'approve', asked.id, '--json'], env);
    expect(approved.code, approved.stderr).toBe(0);
    const result = JSON.parse(approved.stdout) as {
      outcome: string;
      session: { id: string; autoApprove: boolean; cwd: string };
    };
    expect(result).toMatchObject({ outcome: 'approved', session: { autoApprove: true, cwd: bin } });
    expect(await screenOf(result.session.id, /ARGV/)).toContain(
      'FAKE-claude ARGV: --dangerously-skip-permissions',
    );
    expect(await phone.terminal.autoApproveRequest.query({ id: asked.id })).toEqual({
      id: asked.id,
      state: 'approved',
      sessionId: result.session.id,
    });
    expect((await runInProcess(['sessions', 'approvals'], env)).stdout).toContain(
      'No auto-approve requests are waiting.',
    );
  });

  it('denies a request, and explains an unknown id', async () => {
    const asked = await phone.terminal.requestAutoApprove.mutate({
      agent: 'claude',
      env: agentPath(),
    });
    const denied = await runInProcess(['sessions', 'deny', asked.id], env);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toBe(`Denied request ${asked.id}.\n`);
    expect((await phone.terminal.autoApproveRequest.query({ id: asked.id })).state).toBe('denied');

    const unknown = await runInProcess(['sessions', 'approve', 'deadbeef'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No auto-approve request "deadbeef" is waiting/);
  });

  it('lets the local user start an agent with auto-approve directly', async () => {
    vi.stubEnv('PATH', agentPath().PATH);
    const res = await runInProcess(
      ['shell', '--agent', 'claude', '--auto-approve', '--name', 'yolo', '--json'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    const info = JSON.parse(res.stdout) as { id: string; autoApprove: boolean; args: string[] };
    expect(info).toMatchObject({ autoApprove: true, args: ['--dangerously-skip-permissions'] });
    expect(await screenOf(info.id, /ARGV/)).toContain(
      'FAKE-claude ARGV: --dangerously-skip-permissions',
    );

    const shell = await runInProcess(['shell', '--auto-approve', '--json'], env);
    expect(shell.code).toBe(1);
    expect(JSON.parse(shell.stdout)).toEqual({
      error: { message: expect.stringMatching(/auto-approve applies to AI agents/) },
    });
  });
});
