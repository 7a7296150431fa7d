import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, writeConfig } from '../config.js';
import { createContextInner } from '../context.js';
import { dataPaths } from '../paths.js';
import { readAuditTail } from '../services/audit-log.js';
import { openServices, type OpenedServices } from '../services.js';
import {
  makeShareTree,
  makeTempHome,
  type ShareTree,
  type TempHome,
} from '../test-support/index.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
let temp: TempHome;
let tree: ShareTree;
let opened: OpenedServices;
let clock: number;

beforeEach(() => {
  tree = makeShareTree();
  temp = makeTempHome((c) => {
    tree.configure(c);
    c.transfer.deniedPaths.push(path.join(tree.allowed, 'caf\u00e9'));
    c.transfer.maxFileSize = 1024 * 1024;
    c.rateLimits.transfer = 3;
  });
  // The data folder is shared on purpose here: it must stay denied all the same.
  const config = loadConfig(temp.home);
  config.transfer.allowedPaths.push(temp.home);
  writeConfig(temp.home, config);
  clock = Date.now();
  opened = openServices({ home: temp.home, config, now: () => clock });
  fs.writeFileSync(path.join(tree.allowed, 'a.txt'), 'hello');
  fs.mkdirSync(path.join(tree.allowed, 'sub'));
  fs.writeFileSync(path.join(tree.outside, 'file.txt'), 'outside');
  fs.writeFileSync(path.join(tree.denied, 'key'), 'secret');
  fs.symlinkSync(path.join(tree.outside, 'file.txt'), path.join(tree.allowed, 'leaf-escape'));
  fs.symlinkSync(tree.outside, path.join(tree.allowed, 'dir-escape'));
  fs.symlinkSync(tree.denied, path.join(tree.allowed, 'to-secret'));
  fs.mkdirSync(`${tree.allowed}2`);
  fs.writeFileSync(`${tree.allowed}2/x`, 'sibling');
  fs.mkdirSync(`${tree.denied}2`);
  fs.writeFileSync(`${tree.denied}2/x`, 'not denied');
});
afterEach(() => {
  opened.close();
  temp.cleanup();
  tree.cleanup();
});

function caller(token = temp.apiKey, uploadId?: string, trailerSha256?: string) {
  return createCaller(
    createContextInner({
      services: opened.services,
      transport: 'in-process',
      token,
      ...(uploadId !== undefined
        ? { header: (name: string) => (name === 'x-loopsy-upload' ? uploadId : undefined) }
        : {}),
      ...(trailerSha256 !== undefined
        ? { trailer: (name: string) => (name === 'x-loopsy-sha256' ? trailerSha256 : undefined) }
        : {}),
    }),
  );
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function streamOf(...chunks: Array<string | Buffer>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(new Uint8Array(Buffer.from(c)));
      controller.close();
    },
  });
}

/** files.push takes the raw body; through a caller that is a web stream (typed as the client's Blob). */
function push(
  uploadId: string,
  body: ReadableStream<Uint8Array>,
  token = temp.apiKey,
  trailerSha256?: string,
) {
  return caller(token, uploadId, trailerSha256).files.push(body as unknown as Blob);
}

async function upload(
  target: string,
  content: string,
  extra: { overwrite?: boolean; mkdirs?: boolean } = {},
) {
  const { uploadId } = await caller().files.beginPush({
    path: target,
    size: Buffer.byteLength(content),
    sha256: sha(content),
    ...extra,
  });
  return push(uploadId, streamOf(content));
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.loopsy-upload-'));
}

describe('path policy (every files procedure)', () => {
  const rows: Array<[string, () => string, string, RegExp]> = [
    [
      '.. out of the shared folder',
      () => `${tree.allowed}/../outside/file.txt`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    [
      '.. through a sub-folder',
      () => `${tree.allowed}/sub/../../outside/file.txt`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    [
      'symlink escape in the leaf',
      () => `${tree.allowed}/leaf-escape`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    [
      'symlink escape in a parent',
      () => `${tree.allowed}/dir-escape/file.txt`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    [
      'symlink escape to a missing file',
      () => `${tree.allowed}/dir-escape/nope`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    ['absolute path outside', () => `${tree.outside}/file.txt`, 'FORBIDDEN', /outside the folders/],
    [
      'missing path outside',
      () => `${tree.outside}/nope/deeper`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    [
      '.. below a missing folder outside',
      () => `${tree.outside}/nope/../file.txt`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    [
      'sibling with the allowed name as prefix',
      () => `${tree.allowed}2/x`,
      'FORBIDDEN',
      /outside the folders/,
    ],
    ['denied inside allowed', () => `${tree.denied}/key`, 'FORBIDDEN', /inside a denied path/],
    [
      'symlink into the denied folder',
      () => `${tree.allowed}/to-secret/key`,
      'FORBIDDEN',
      /inside a denied path/,
    ],
    [
      'denied folder in other case',
      () => `${tree.allowed}/SECRET/key`,
      'FORBIDDEN',
      /inside a denied path/,
    ],
    [
      'denied folder in mixed case, missing',
      () => `${tree.allowed}/SeCrEt`,
      'FORBIDDEN',
      /inside a denied path/,
    ],
    [
      'denied name in NFC',
      () => `${tree.allowed}/caf\u00e9/x`,
      'FORBIDDEN',
      /inside a denied path/,
    ],
    [
      'denied name in NFD',
      () => `${tree.allowed}/cafe\u0301/x`,
      'FORBIDDEN',
      /inside a denied path/,
    ],
    [
      'the data folder (always denied)',
      () => `${temp.home}/api-key`,
      'FORBIDDEN',
      /Loopsy data folder/,
    ],
    [
      '~ is the daemon user home (not shared here)',
      () => '~/x',
      'FORBIDDEN',
      /outside the folders/,
    ],
    ['another user home', () => '~root/x', 'BAD_REQUEST', /another user's home/],
    ['a relative path', () => 'relative/x', 'BAD_REQUEST', /is relative/],
    ['NUL', () => `${tree.allowed}/a\0b`, 'BAD_REQUEST', /NUL/],
    ['a lone surrogate', () => `${tree.allowed}/\ud800x`, 'BAD_REQUEST', /not valid Unicode/],
    [
      'a name over 255 bytes',
      () => `${tree.allowed}/${'é'.repeat(128)}`,
      'BAD_REQUEST',
      /longer than 255 bytes/,
    ],
    [
      'a path over 4096 bytes',
      () => `${tree.allowed}/${`${'d'.repeat(200)}/`.repeat(21)}x`,
      'BAD_REQUEST',
      /longer than 4096 bytes/,
    ],
    [
      '.. below a missing folder inside',
      () => `${tree.allowed}/nope/../a.txt`,
      'BAD_REQUEST',
      /goes up/,
    ],
  ];

  it.each(rows)('%s', async (_name, make, code, message) => {
    const p = make();
    const owner = caller();
    const calls = [
      () => owner.files.stat({ path: p }),
      () => owner.files.list({ path: p }),
      () => owner.files.pull({ path: p }),
      () =>
        owner.files.beginPush({
          path: p,
          size: 1,
          sha256: sha('x'),
          overwrite: true,
          mkdirs: true,
        }),
    ];
    for (const call of calls) {
      const got = await failure(call());
      expect(got.code).toBe(code);
      expect(got.message).toMatch(message);
    }
  });

  it('says the same about a path outside whether it exists or not', async () => {
    const there = `${tree.outside}/file.txt`;
    const absent = `${tree.outside}/absent.txt`;
    const a = await failure(caller().files.stat({ path: there }));
    const b = await failure(caller().files.stat({ path: absent }));
    expect(a.message.replace(JSON.stringify(there), 'P')).toBe(
      b.message.replace(JSON.stringify(absent), 'P'),
    );
    // The resolved target of a link is never named either.
    const viaLink = await failure(caller().files.stat({ path: `${tree.allowed}/leaf-escape` }));
    expect(viaLink.message).not.toContain(tree.outside);
  });

  it('admits names that only start like a denied one, and folders of the shared tree', async () => {
    expect((await caller().files.stat({ path: `${tree.denied}2/x` })).size).toBe(10);
    expect((await caller().files.stat({ path: tree.allowed })).type).toBe('dir');
    const missing = await failure(caller().files.stat({ path: `${tree.allowed}/nope` }));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('follows config changes without a restart', async () => {
    expect((await caller().files.stat({ path: `${tree.allowed}/a.txt` })).size).toBe(5);
    const config = loadConfig(temp.home);
    config.transfer.deniedPaths.push(tree.allowed);
    writeConfig(temp.home, config);
    const refused = await failure(caller().files.stat({ path: `${tree.allowed}/a.txt` }));
    expect(refused.code).toBe('FORBIDDEN');
  });
});

describe('files.list and files.stat', () => {
  it('lists a folder sorted by name with lstat details, symlinks as links', async () => {
    const out = await caller().files.list({ path: tree.allowed });
    expect(out.path).toBe(tree.allowed);
    expect(out.entries.map((e) => e.name)).toEqual([
      'a.txt',
      'dir-escape',
      'leaf-escape',
      'secret',
      'secret2',
      'sub',
      'to-secret',
    ]);
    expect(out.entries[0]).toMatchObject({ name: 'a.txt', type: 'file', size: 5 });
    expect(out.entries.find((e) => e.name === 'leaf-escape')?.type).toBe('symlink');
    expect(out.entries.find((e) => e.name === 'sub')?.type).toBe('dir');
    expect(out.nextCursor).toBeUndefined();
    expect(out.entries[0]?.mode).toBe(fs.statSync(path.join(tree.allowed, 'a.txt')).mode & 0o7777);
  });

  it('pages a big folder with a cursor', async () => {
    const big = path.join(tree.allowed, 'big');
    fs.mkdirSync(big);
    const names = Array.from({ length: 2500 }, (_, i) => `f${String(i).padStart(5, '0')}`);
    for (const n of [...names].reverse()) fs.writeFileSync(path.join(big, n), '');
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await caller().files.list({
        path: big,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.entries.map((e) => e.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);
    expect((await caller().files.list({ path: big })).entries).toHaveLength(200);
    expect((await failure(caller().files.list({ path: big, limit: 1001 }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('explains a file where a folder is expected, and a missing folder', async () => {
    const file = await failure(caller().files.list({ path: `${tree.allowed}/a.txt` }));
    expect(file).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/is a file, not a folder/),
    });
    expect((await failure(caller().files.list({ path: `${tree.allowed}/nope` }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('stats a file by its real path', async () => {
    const st = await caller().files.stat({ path: `${tree.allowed}/sub/../a.txt` });
    expect(st).toMatchObject({ path: path.join(tree.allowed, 'a.txt'), type: 'file', size: 5 });
  });

  it('refuses other peers and callers without a key', async () => {
    const peer = await failure(caller().files.list({ path: tree.allowed, peer: 'laptop-b' }));
    expect(peer.message).toMatch(/peers are not available yet/);
    expect((await failure(caller('').files.stat({ path: tree.allowed }))).code).toBe(
      'UNAUTHORIZED',
    );
  });
});

describe('files.beginPush and files.push', () => {
  it('writes a file atomically and privately, and audits both steps without their input', async () => {
    const target = path.join(tree.allowed, 'new.txt');
    const out = await upload(target, 'payload');
    expect(out).toEqual({ path: target, size: 7, sha256: sha('payload') });
    expect(fs.readFileSync(target, 'utf8')).toBe('payload');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(leftovers(tree.allowed)).toEqual([]);
    const trail = readAuditTail(dataPaths(temp.home).audit, 2);
    expect(trail.map((e) => [e.procedure, e.outcome])).toEqual([
      ['files.beginPush', 'ok'],
      ['files.push', 'ok'],
    ]);
    expect(JSON.stringify(trail)).not.toContain('new.txt');
  });

  it('refuses to replace an existing file unless asked, and keeps its mode when replacing', async () => {
    const target = path.join(tree.allowed, 'a.txt');
    fs.chmodSync(target, 0o640);
    const refused = await failure(upload(target, 'other'));
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/--overwrite/),
    });
    expect(fs.readFileSync(target, 'utf8')).toBe('hello');
    await upload(target, 'replaced', { overwrite: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('replaced');
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
  });

  it('never replaces a file that appears during the upload without overwrite', async () => {
    const target = path.join(tree.allowed, 'race.txt');
    const { uploadId } = await caller().files.beginPush({
      path: target,
      size: 3,
      sha256: sha('new'),
    });
    fs.writeFileSync(target, 'first');
    const got = await failure(push(uploadId, streamOf('new')));
    expect(got).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/appeared while/),
    });
    expect(fs.readFileSync(target, 'utf8')).toBe('first');
    expect(leftovers(tree.allowed)).toEqual([]);
  });

  it('creates missing folders only with mkdirs, each checked by the policy', async () => {
    const target = path.join(tree.allowed, 'x', 'y', 'z.txt');
    const refused = await failure(upload(target, 'deep'));
    expect(refused).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/--mkdirs/),
    });
    expect(fs.existsSync(path.join(tree.allowed, 'x'))).toBe(false);
    await upload(target, 'deep', { mkdirs: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('deep');
    const intoDenied = await failure(
      upload(path.join(tree.denied, 'n', 'f'), 'x', { mkdirs: true }),
    );
    expect(intoDenied.code).toBe('FORBIDDEN');
    expect(fs.existsSync(path.join(tree.denied, 'n'))).toBe(false);
  });

  it('leaves the target untouched and no temp file on a checksum mismatch', async () => {
    const target = path.join(tree.allowed, 'a.txt');
    const { uploadId } = await caller().files.beginPush({
      path: target,
      size: 5,
      sha256: sha('bytes'),
      overwrite: true,
    });
    const got = await failure(push(uploadId, streamOf('BYTES')));
    expect(got).toMatchObject({
      code: 'UNPROCESSABLE_CONTENT',
      message: expect.stringMatching(/nothing was written/),
    });
    expect(fs.readFileSync(target, 'utf8')).toBe('hello');
    expect(leftovers(tree.allowed)).toEqual([]);
  });

  it('refuses a declared size over transfer.maxFileSize before any byte, and cuts off a body longer than declared', async () => {
    const target = path.join(tree.allowed, 'big.bin');
    const declared = await failure(
      caller().files.beginPush({ path: target, size: 1024 * 1024 + 1, sha256: sha('') }),
    );
    expect(declared).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/maxFileSize/),
    });
    const { uploadId } = await caller().files.beginPush({
      path: target,
      size: 4,
      sha256: sha('four'),
    });
    let pulled = 0;
    // An endless body: it must be cut off, not read to the end.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const cut = await failure(push(uploadId, endless));
    expect(cut).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/declared/),
    });
    expect(pulled).toBeLessThan(5);
    expect(fs.existsSync(target)).toBe(false);
    expect(leftovers(tree.allowed)).toEqual([]);
  });

  it('takes the SHA-256 from the trailer when beginPush did not declare it', async () => {
    const target = path.join(tree.allowed, 'trailer.txt');
    const begin = () => caller().files.beginPush({ path: target, size: 7, overwrite: true });
    const none = await failure(push((await begin()).uploadId, streamOf('trailer')));
    expect(none).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/No SHA-256/),
    });
    const wrong = await failure(
      push((await begin()).uploadId, streamOf('trailer'), temp.apiKey, sha('other')),
    );
    expect(wrong).toMatchObject({
      code: 'UNPROCESSABLE_CONTENT',
      message: expect.stringMatching(/trailer/),
    });
    expect(fs.existsSync(target)).toBe(false);
    const ok = await push(
      (await begin()).uploadId,
      streamOf('trailer'),
      temp.apiKey,
      sha('trailer'),
    );
    expect(ok.sha256).toBe(sha('trailer'));
    // Declared and trailer must both match when both are sent.
    const both = await caller().files.beginPush({
      path: target,
      size: 7,
      sha256: sha('trailer'),
      overwrite: true,
    });
    const clash = await failure(push(both.uploadId, streamOf('trailer'), temp.apiKey, sha('x')));
    expect(clash.code).toBe('UNPROCESSABLE_CONTENT');
    expect(leftovers(tree.allowed)).toEqual([]);
  });

  it('refuses a body shorter than declared', async () => {
    const target = path.join(tree.allowed, 'short.bin');
    const { uploadId } = await caller().files.beginPush({
      path: target,
      size: 10,
      sha256: sha('0123456789'),
    });
    const got = await failure(push(uploadId, streamOf('01234')));
    expect(got).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/after 5 of the 10 bytes/),
    });
    expect(fs.existsSync(target)).toBe(false);
  });

  it('removes the temp file when the body fails mid-stream', async () => {
    const target = path.join(tree.allowed, 'broken.bin');
    const { uploadId } = await caller().files.beginPush({
      path: target,
      size: 100,
      sha256: sha('x'),
    });
    let fail: (err: Error) => void = () => undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(10));
        fail = (err) => controller.error(err);
      },
    });
    const result = failure(push(uploadId, body));
    await waitFor(() => leftovers(tree.allowed).length === 1);
    const abort = new Error('socket hang up');
    abort.name = 'AbortError';
    fail(abort);
    expect((await result).code).toBe('CLIENT_CLOSED_REQUEST');
    expect(leftovers(tree.allowed)).toEqual([]);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('does not follow a folder swapped for a symlink during the upload (no TOCTOU)', async () => {
    const folder = path.join(tree.allowed, 'up');
    fs.mkdirSync(folder);
    const target = path.join(folder, 'f.txt');
    const { uploadId } = await caller().files.beginPush({
      path: target,
      size: 4,
      sha256: sha('evil'),
    });
    let finish: () => void = () => undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(Buffer.from('ev')));
        finish = () => {
          controller.enqueue(new Uint8Array(Buffer.from('il')));
          controller.close();
        };
      },
    });
    const result = failure(push(uploadId, body));
    await waitFor(() => leftovers(folder).length === 1);
    fs.renameSync(folder, `${folder}-moved`);
    fs.symlinkSync(tree.outside, folder);
    finish();
    const got = await result;
    expect(got).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/changed while/),
    });
    expect(fs.readdirSync(tree.outside)).toEqual(['file.txt']);
    expect(fs.readdirSync(`${folder}-moved`)).toEqual([]);
  });

  it('spends an upload id once, for its caller only, within 60 s', async () => {
    const target = path.join(tree.allowed, 'once.txt');
    const begin = () => caller().files.beginPush({ path: target, size: 2, sha256: sha('ok') });
    const peer = opened.services.credentials.issue('peer', 'laptop-b').token;
    const first = await begin();
    const stolen = await failure(push(first.uploadId, streamOf('ok'), peer));
    expect(stolen.code).toBe('NOT_FOUND');
    await push(first.uploadId, streamOf('ok'));
    expect((await failure(push(first.uploadId, streamOf('ok')))).code).toBe('NOT_FOUND');
    const late = await caller().files.beginPush({
      path: path.join(tree.allowed, 'late'),
      size: 2,
      sha256: sha('ok'),
    });
    clock += 60_001;
    expect((await failure(push(late.uploadId, streamOf('ok')))).message).toMatch(/expired/);
    expect(
      (await failure(caller(temp.apiKey).files.push(streamOf('ok') as unknown as Blob))).message,
    ).toMatch(/x-loopsy-upload/);
  });

  it('rate-limits peers (transfer), never the owner', async () => {
    const peer = opened.services.credentials.issue('peer', 'laptop-b').token;
    const target = path.join(tree.allowed, 'limited');
    const begin = (token: string) =>
      caller(token).files.beginPush({ path: target, size: 1, sha256: sha('x') });
    for (let i = 0; i < 3; i++) await begin(peer);
    expect((await failure(begin(peer))).code).toBe('TOO_MANY_REQUESTS');
    for (let i = 0; i < 5; i++) await begin(temp.apiKey);
  });
});

describe('files.pull', () => {
  it('opens the file and issues a one-time ticket for this caller', async () => {
    const out = await caller().files.pull({ path: `${tree.allowed}/a.txt` });
    expect(out).toMatchObject({ path: path.join(tree.allowed, 'a.txt'), size: 5 });
    expect(out.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const peerId = opened.services.credentials.issue('peer', 'laptop-b').info.id;
    expect(() => opened.services.files.takeDownload(out.ticket, peerId)).toThrow(/another caller/);
    const pending = opened.services.files.takeDownload(out.ticket, 'owner');
    expect(pending.size).toBe(5);
    await pending.handle.close();
    expect(() => opened.services.files.takeDownload(out.ticket, 'owner')).toThrow(/already used/);
  });

  it('closes the file of an expired ticket', async () => {
    const out = await caller().files.pull({ path: `${tree.allowed}/a.txt` });
    clock += 60_001;
    opened.services.files.sweep();
    expect(() => opened.services.files.takeDownload(out.ticket, 'owner')).toThrow(/expired/);
  });

  it('refuses folders, special files and files over maxFileSize', async () => {
    expect((await failure(caller().files.pull({ path: tree.allowed }))).message).toMatch(
      /is a folder/,
    );
    fs.writeFileSync(path.join(tree.allowed, 'huge'), Buffer.alloc(1024 * 1024 + 1));
    const huge = await failure(caller().files.pull({ path: `${tree.allowed}/huge` }));
    expect(huge.code).toBe('PAYLOAD_TOO_LARGE');
    const dangling = path.join(tree.allowed, 'dangling');
    fs.symlinkSync(path.join(tree.allowed, 'gone'), dangling);
    expect((await failure(caller().files.pull({ path: dangling }))).code).toBe('NOT_FOUND');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}
