import fs from 'node:fs';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../test-support/run-cli.js';
import { runStreaming } from '../../test-support/run-streaming.js';

let d: TestDaemon;
let env: Record<string, string>;
beforeAll(async () => {
  d = await startTestDaemon();
  // What `loopsy start` records, and what connectLocal reads.
  fs.writeFileSync(
    path.join(d.home, 'daemon.json'),
    JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
  );
  env = { LOOPSY_HOME: d.home };
});
afterAll(() => d.stop());

const context = (...argv: string[]) => runInProcess(['context', ...argv], env);

describe('loopsy context', () => {
  it('sets, gets, lists and deletes values, for people and with --json', async () => {
    const set = await context('set', 'build:status', 'green', '--ttl', '3600');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^Set build:status \(5 bytes, expires: .+\)\.\n$/);

    const json = await context('set', 'build:owner', 'leo', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      key: 'build:owner',
      value: 'leo',
      expiresAt: null,
      updatedBy: 'owner',
    });

    expect(await context('get', 'build:status')).toEqual({
      code: 0,
      stdout: 'green\n',
      stderr: '',
    });
    const entry = JSON.parse((await context('get', 'build:status', '--json')).stdout);
    expect(entry).toMatchObject({
      key: 'build:status',
      value: 'green',
      expiresAt: expect.any(Number),
    });

    const list = await context('list', '--prefix', 'build:');
    expect(list.stdout.split('\n')[0]).toMatch(/^KEY\s+BYTES\s+UPDATED\s+EXPIRES\s+VALUE$/);
    expect(list.stdout).toMatch(/build:owner\s+3\s+.+never\s+leo/);
    const listed = JSON.parse((await context('list', '--json', '--prefix', 'build:')).stdout) as {
      entries: Array<{ key: string }>;
    };
    expect(listed.entries.map((e) => e.key)).toEqual(['build:owner', 'build:status']);
    expect(
      JSON.parse((await context('list', '--json', '--limit', '1')).stdout).entries,
    ).toHaveLength(1);

    expect(await context('delete', 'build:owner')).toEqual({
      code: 0,
      stdout: 'Deleted build:owner.\n',
      stderr: '',
    });
    const missing = await context('get', 'build:owner');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^loopsy: No context entry "build:owner"/);
    const missingJson = await context('delete', 'build:owner', '--json');
    expect(JSON.parse(missingJson.stdout)).toEqual({
      error: { message: expect.stringMatching(/No context entry/) },
    });
  });

  it('reads the value from standard input with -', async () => {
    const text = 'line one\nline two ✓\n';
    const res = await runInProcess(['context', 'set', 'notes:today', '-', '--json'], env, text);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).value).toBe(text);
    expect((await context('get', 'notes:today')).stdout).toBe(text);
  });

  it('says what is wrong with a bad key, a bad TTL or a peer', async () => {
    const badKey = await context('set', 'has space', 'v');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/only these characters: A-Z a-z 0-9/);
    expect((await context('set', 'k', 'v', '--ttl', '0')).code).toBe(1);
    const peer = await context('get', 'k', '--peer', 'kai');
    expect(peer.code).toBe(1);
    expect(peer.stderr).toMatch(/peers are not available yet/);
    expect((await context('set', 'k', 'v', '--peer', 'local')).code).toBe(0);
  });

  it('watches changes as JSON lines until --count', async () => {
    const lines: string[] = [];
    const done = runStreaming(
      ['context', 'watch', '--prefix', 'watch:', '--count', '2', '--json', '--home', d.home],
      env,
      (line) => {
        lines.push(line);
        // Once the watch is in place, make the changes it should report.
        if (JSON.parse(line).type === 'ready') {
          void (async () => {
            await context('set', 'other', 'ignored');
            await context('set', 'watch:a', '1');
            await context('delete', 'watch:a');
          })();
        }
      },
    );
    expect(await done).toBe(0);
    const events = lines.map((l) => JSON.parse(l) as { type: string; key?: string });
    expect(events.map((e) => [e.type, e.key])).toEqual([
      ['ready', undefined],
      ['set', 'watch:a'],
      ['delete', 'watch:a'],
    ]);
    expect(events[1]).toMatchObject({ id: expect.stringMatching(/^\d+$/), entry: { value: '1' } });
  });
});
