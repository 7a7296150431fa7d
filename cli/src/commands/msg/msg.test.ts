import fs from 'node:fs';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, runProcess } from '../../test-support/run-cli.js';
import { runStreaming } from '../../test-support/run-streaming.js';

let d: TestDaemon;
let env: Record<string, string>;
beforeAll(async () => {
  d = await startTestDaemon((c) => {
    c.server.hostname = 'leo';
  });
  fs.writeFileSync(
    path.join(d.home, 'daemon.json'),
    JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
  );
  env = { LOOPSY_HOME: d.home };
});
afterAll(() => d.stop());

const msg = (...argv: string[]) => runInProcess(['msg', ...argv], env);

describe('loopsy msg', () => {
  it('send → inbox → ack → outbox shows the receipt', async () => {
    const sent = await msg('send', 'local', 'Hello Leo!', '--type', 'request', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const envelope = JSON.parse(sent.stdout) as { id: string };
    expect(envelope).toMatchObject({ from: 'leo', to: 'leo', type: 'request', body: 'Hello Leo!' });

    const inbox = await msg('inbox');
    expect(inbox.stdout.split('\n')[0]).toMatch(/^ID\s+FROM\s+TYPE\s+SENT\s+BODY$/);
    expect(inbox.stdout).toContain(envelope.id);
    expect(inbox.stdout).toMatch(/leo\s+request\s+.+Hello Leo!/);
    const inboxJson = JSON.parse((await msg('inbox', '--json', '--type', 'request')).stdout) as {
      messages: Array<{ id: string }>;
    };
    expect(inboxJson.messages.map((m) => m.id)).toEqual([envelope.id]);
    expect(JSON.parse((await msg('inbox', '--json', '--type', 'chat')).stdout).messages).toEqual(
      [],
    );

    const outboxBefore = await msg('outbox');
    expect(outboxBefore.stdout).toMatch(new RegExp(`${envelope.id}.*\\s+no$`, 'm'));

    expect(await msg('ack', envelope.id)).toEqual({
      code: 0,
      stdout: `Acknowledged ${envelope.id}; the read receipt is on leo.\n`,
      stderr: '',
    });
    expect((await msg('inbox')).stdout).toBe('No pending messages.\n');
    expect((await msg('inbox', '--all')).stdout).toMatch(
      new RegExp(`${envelope.id}.*\\s+yes$`, 'm'),
    );
    const outbox = JSON.parse((await msg('outbox', '--json')).stdout);
    expect(outbox.messages[0]).toMatchObject({
      id: envelope.id,
      acked: true,
      ackedAt: expect.any(Number),
    });

    const again = await msg('ack', envelope.id);
    expect(again.stdout).toMatch(/was already acknowledged/);
    const unknown = await msg('ack', '1-leo-0000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No message "1-leo-0000" in the inbox of leo/);
    const remote = await msg('send', 'kai', 'hi');
    expect(remote.stderr).toMatch(/Cannot reach "kai": peers are not available yet/);
  });

  it('addresses an agent with --as and reads a body from standard input', async () => {
    const res = await runInProcess(
      ['msg', 'send', 'local/codex', '-', '--as', 'claude', '--json'],
      env,
      'multi\nline',
    );
    const sent = JSON.parse(res.stdout) as { id: string };
    expect(sent).toMatchObject({ from: 'leo/claude', to: 'leo/codex', body: 'multi\nline' });
    const forCodex = JSON.parse((await msg('inbox', '--as', 'codex', '--json')).stdout) as {
      messages: Array<{ id: string }>;
    };
    expect(forCodex.messages.map((m) => m.id)).toEqual([sent.id]);
    const fromClaude = JSON.parse(
      (await msg('inbox', '--as', 'codex', '--from', 'leo/claude', '--json')).stdout,
    );
    expect(fromClaude.messages).toHaveLength(1);
  });

  it('watches arriving messages until --count', async () => {
    const lines: string[] = [];
    const code = await runStreaming(['msg', 'watch', '--count', '1', '--json'], env, (line) => {
      lines.push(line);
      if (JSON.parse(line).type === 'ready') void msg('send', 'local', 'ping');
    });
    expect(code).toBe(0);
    const events = lines.map((l) => JSON.parse(l) as { type: string });
    expect(events[0]).toMatchObject({ type: 'ready' });
    expect(events.at(-1)).toMatchObject({
      type: 'message',
      message: { body: 'ping', from: 'leo' },
    });
  });

  it('works as a real process, and its messages are plain context entries', async () => {
    const sent = await runProcess(['msg', 'send', 'local', 'from a real process', '--json'], env);
    expect(sent.code, sent.stderr).toBe(0);
    const { id } = JSON.parse(sent.stdout) as { id: string };
    const raw = await runProcess(['context', 'get', `inbox:leo:${id}`], env);
    expect(raw.code, raw.stderr).toBe(0);
    expect(JSON.parse(raw.stdout)).toEqual({
      from: 'leo',
      to: 'leo',
      ts: expect.any(Number),
      id,
      type: 'chat',
      body: 'from a real process',
    });
  });
});
