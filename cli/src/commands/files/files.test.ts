import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  makeShareTree,
  startTestDaemon,
  type ShareTree,
  type TestDaemon,
} from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, runProcess } from '../../test-support/run-cli.js';
import { formatMode } from './format.js';
import { TransferProgressLine } from './transfer-progress.js';

let d: TestDaemon;
let tree: ShareTree;
let local: string;
let env: Record<string, string>;

beforeAll(async () => {
  tree = makeShareTree();
  local = path.join(tree.root, 'local');
  fs.mkdirSync(local);
  d = await startTestDaemon((c) => tree.configure(c));
  // What `loopsy start` records; without `socket` the CLI talks HTTP with the API key.
  fs.writeFileSync(
    path.join(d.home, 'daemon.json'),
    JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
  );
  env = { LOOPSY_HOME: d.home };
});
afterAll(async () => {
  await d.stop();
  tree.cleanup();
});

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const loopsy = (...argv: string[]) => runInProcess(argv, env);

describe('loopsy send / pull / ls', () => {
  it('sends a file into a folder and prints the result as JSON', async () => {
    const src = path.join(local, 'report.txt');
    fs.writeFileSync(src, 'quarterly');
    const res = await loopsy('send', 'local', src, `${tree.allowed}/`, '--json');
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toMatchObject({
      peer: 'local',
      source: src,
      path: path.join(tree.allowed, 'report.txt'),
      size: 9,
      sha256: sha('quarterly'),
    });
    // An existing folder as the destination works the same.
    fs.mkdirSync(path.join(tree.allowed, 'inbox'));
    const into = await loopsy('send', 'local', src, path.join(tree.allowed, 'inbox'));
    expect(into.code).toBe(0);
    expect(into.stdout).toMatch(/^Sent .*report\.txt to local:.*inbox\/report\.txt \(9 B in/);
    expect(fs.readFileSync(path.join(tree.allowed, 'inbox', 'report.txt'), 'utf8')).toBe(
      'quarterly',
    );
  });

  it('refuses to replace without --overwrite, creates folders with --mkdirs', async () => {
    const src = path.join(local, 'v2.txt');
    fs.writeFileSync(src, 'two');
    const target = path.join(tree.allowed, 'v.txt');
    fs.writeFileSync(target, 'one');
    const refused = await loopsy('send', 'local', src, target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^loopsy: .*already exists; pass overwrite \(--overwrite\)/);
    expect((await loopsy('send', 'local', src, target, '--overwrite')).code).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe('two');
    const deep = path.join(tree.allowed, 'a', 'b', 'v.txt');
    expect((await loopsy('send', 'local', src, deep)).stderr).toMatch(/--mkdirs/);
    expect((await loopsy('send', 'local', src, deep, '--mkdirs')).code).toBe(0);
  });

  it('pulls a file into a folder, and says why a path is refused without revealing more', async () => {
    const remote = path.join(tree.allowed, 'data.csv');
    fs.writeFileSync(remote, 'a,b\n1,2\n');
    const res = await loopsy('pull', 'local', remote, `${local}/`, '--json');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      path: path.join(local, 'data.csv'),
      remotePath: remote,
      size: 8,
      sha256: sha('a,b\n1,2\n'),
    });
    const again = await loopsy('pull', 'local', remote, local);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass overwrite \(--overwrite\)/);
    const denied = await loopsy('pull', 'local', path.join(tree.denied, 'key'), local, '--json');
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout).error.message).toMatch(/inside a denied path/);
    const outside = await loopsy('pull', 'local', path.join(tree.outside, 'nothing'), local);
    expect(outside.stderr).toMatch(/outside the folders this daemon shares/);
  });

  it('lists a folder like ls -l, and as JSON', async () => {
    const folder = path.join(tree.allowed, 'listing');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'b.txt'), '12345');
    fs.chmodSync(path.join(folder, 'b.txt'), 0o640);
    fs.mkdirSync(path.join(folder, 'a-dir'));
    fs.symlinkSync('b.txt', path.join(folder, 'c-link'));
    const res = await loopsy('ls', 'local', folder);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${folder}:`);
    expect(lines[1]).toMatch(/^drwx.{6} +\d+ +\w{3} +\d+ +\S+ +a-dir\/$/);
    expect(lines[2]).toMatch(/^-rw-r----- +5 +\w{3} +\d+ +\S+ +b\.txt$/);
    expect(lines[3]).toMatch(/^l.{9} +\d+ .* c-link@$/);
    const json = JSON.parse((await loopsy('ls', 'local', folder, '--json')).stdout) as {
      path: string;
      entries: Array<{ name: string }>;
    };
    expect(json.path).toBe(folder);
    expect(json.entries.map((e) => e.name)).toEqual(['a-dir', 'b.txt', 'c-link']);
    fs.mkdirSync(path.join(folder, 'a-dir', 'empty'));
    expect((await loopsy('ls', 'local', path.join(folder, 'a-dir', 'empty'))).stdout).toMatch(
      /\(empty\)/,
    );
  });

  it('lists the daemon user home by default (refused here: it is not shared)', async () => {
    const res = await loopsy('ls', 'local');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/"~" is outside the folders this daemon shares/);
  });

  it('says that other peers are not available yet', async () => {
    const src = path.join(local, 'p.txt');
    fs.writeFileSync(src, 'p');
    for (const argv of [
      ['send', 'laptop-b', src, '~/p.txt'],
      ['pull', 'laptop-b', '~/p.txt', path.join(local, 'from-b.txt')],
      ['ls', 'laptop-b'],
    ]) {
      const res = await loopsy(...argv);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/peers are not available yet/);
    }
  });

  it('says what is wrong with a local source or destination', async () => {
    const missing = await loopsy('send', 'local', path.join(local, 'nope'), `${tree.allowed}/`);
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/nope: no such file or folder/),
    });
    const remote = path.join(tree.allowed, 'one.txt');
    fs.writeFileSync(remote, '1');
    const noFolder = await loopsy('pull', 'local', remote, path.join(local, 'no', 'such', 'x'));
    expect(noFolder).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no such file or folder/),
    });
  });
});

describe('loopsy send / pull as a real process, over the unix socket', () => {
  it('round-trips a file with --json', async () => {
    // With `socket` in daemon.json the CLI reaches the daemon through its unix socket, without the key.
    const state = path.join(d.home, 'daemon.json');
    fs.writeFileSync(
      state,
      JSON.stringify({
        pid: process.pid,
        url: d.url,
        port: d.daemon.port,
        socket: d.daemon.socket,
      }),
    );
    try {
      const src = path.join(local, 'proc.bin');
      const content = Buffer.alloc(3 * 1024 * 1024 + 17, 9);
      fs.writeFileSync(src, content);
      const sent = await runProcess(['send', 'local', src, `${tree.allowed}/`, '--json'], env);
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({ size: content.length, sha256: sha(content) });
      const back = path.join(local, 'proc-back.bin');
      const pulled = await runProcess(
        ['pull', 'local', path.join(tree.allowed, 'proc.bin'), back, '--json'],
        env,
      );
      expect(pulled.code).toBe(0);
      expect(fs.readFileSync(back).equals(content)).toBe(true);
      const caller = d.daemon.services.audit.newest(10).find((e) => e.procedure === 'files.push');
      expect(caller?.transport).toBe('unix');
    } finally {
      fs.writeFileSync(
        state,
        JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
      );
    }
  });
});

describe('progress line', () => {
  function tty(columns = 100) {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns });
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    return { out, text: () => text };
  }

  it('draws phase, bar, bytes, rate and ETA in place, at most ten times a second', () => {
    let now = 0;
    const { out, text } = tty();
    const line = new TransferProgressLine(out, () => now);
    line.update({ phase: 'sending', bytes: 0, total: 100 * 1024 * 1024 });
    now = 50;
    line.update({ phase: 'sending', bytes: 10 * 1024 * 1024, total: 100 * 1024 * 1024 });
    now = 1000;
    line.update({ phase: 'sending', bytes: 50 * 1024 * 1024, total: 100 * 1024 * 1024 });
    const frames = text().split('\r\x1b[2K').filter(Boolean);
    expect(frames).toHaveLength(2);
    expect(frames[1]).toMatch(
      /^sending +\[=+> +\] + 50% +50\.0 MiB\/100\.0 MiB +50\.0 MiB\/s +ETA 00:01$/,
    );
    line.done();
    expect(text().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('draws nothing when the stream is not a terminal', () => {
    const out = new PassThrough();
    let written = 0;
    out.on('data', () => written++);
    const line = new TransferProgressLine(out);
    line.update({ phase: 'receiving', bytes: 1, total: 2 });
    line.done();
    expect(written).toBe(0);
  });

  it('writes modes as ls does', () => {
    expect(formatMode('dir', 0o755)).toBe('drwxr-xr-x');
    expect(formatMode('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(formatMode('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(formatMode('symlink', 0o777)).toBe('lrwxrwxrwx');
  });
});
