import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  makeShareTree,
  startTestDaemon,
  type ShareTree,
  type TestDaemon,
} from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectSocket,
  createLoopsyClient,
  pullFile,
  pushFile,
  TransferError,
  TRPCClientError,
  type LoopsyClient,
  type TransferProgress,
} from './node.js';

const MiB = 1024 * 1024;
let d: TestDaemon;
let tree: ShareTree;
let local: string;
let client: LoopsyClient;

beforeAll(async () => {
  tree = makeShareTree();
  local = path.join(tree.root, 'local');
  fs.mkdirSync(local);
  d = await startTestDaemon((c) => {
    tree.configure(c);
    c.transfer.maxFileSize = 256 * MiB;
  });
  client = createLoopsyClient({ url: d.url, apiKey: d.apiKey });
});
afterAll(async () => {
  await client.close();
  await d.stop();
  tree.cleanup();
});

/** `size` bytes of a fixed pseudo-random pattern (each MiB stamped with its index), streamed to `file`. */
async function writePattern(file: string, size: number): Promise<void> {
  const block = createHash('sha512').update('loopsy').digest();
  const base = Buffer.alloc(MiB);
  for (let i = 0; i < MiB; i += block.length) block.copy(base, i);
  function* blocks() {
    for (let at = 0, n = 0; at < size; at += MiB, n++) {
      const chunk = Buffer.from(base.subarray(0, Math.min(MiB, size - at)));
      chunk.writeUInt32BE(n, 0);
      yield chunk;
    }
  }
  await pipeline(Readable.from(blocks()), fs.createWriteStream(file));
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: MiB }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function failure(
  p: Promise<unknown>,
): Promise<{ code: string | undefined; message: string; name: string }> {
  try {
    await p;
    return { code: 'ok', message: '', name: '' };
  } catch (err) {
    const e = err as Error & { data?: { code?: string } };
    return { code: e.data?.code, message: e.message, name: e.name };
  }
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.loopsy-'));
}

describe('pushFile and pullFile', () => {
  it('round-trips 200 MiB byte-exact in bounded memory', async () => {
    const source = path.join(local, 'big.bin');
    const size = 200 * MiB;
    await writePattern(source, size);
    const expected = await sha256Of(source);
    const remote = path.join(tree.allowed, 'big.bin');
    const back = path.join(local, 'back.bin');

    // The daemon runs in this process, so this is the RSS of both ends together. Buffers in flight are a few
    // MiB; the bound is generous because the GC frees them lazily.
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const phases = new Set<string>();
    let lastSent = 0;
    try {
      const pushed = await pushFile(client, {
        localPath: source,
        remotePath: remote,
        onProgress: (p: TransferProgress) => {
          phases.add(p.phase);
          if (p.phase === 'sending') lastSent = p.bytes;
        },
      });
      expect(pushed).toEqual({ path: remote, size, sha256: expected });
      const pulled = await pullFile(client, { remotePath: remote, localPath: back });
      expect(pulled).toEqual({ path: back, remotePath: remote, size, sha256: expected });
    } finally {
      clearInterval(sampler);
    }
    expect([...phases]).toEqual(['sending']);
    expect(lastSent).toBe(size);
    expect(await sha256Of(remote)).toBe(expected);
    expect(await sha256Of(back)).toBe(expected);
    expect(peak - baseline).toBeLessThan(100 * MiB);
    expect(leftovers(tree.allowed)).toEqual([]);
    expect(leftovers(local)).toEqual([]);
    for (const f of [source, remote, back]) fs.rmSync(f);
  });

  it('abandons the upload when the local file changes while it is sent', async () => {
    const source = path.join(local, 'growing.log');
    await writePattern(source, 16 * MiB);
    const remote = path.join(tree.allowed, 'growing.log');
    let appended = false;
    const got = await failure(
      pushFile(client, {
        localPath: source,
        remotePath: remote,
        onProgress: () => {
          if (appended) return;
          appended = true;
          fs.appendFileSync(source, 'one more line\n');
        },
      }),
    );
    expect(got).toMatchObject({
      name: 'TransferError',
      message: expect.stringMatching(/changed while it was being sent/),
    });
    for (;;) {
      const push = d.daemon.services.audit.newest(20).find((e) => e.procedure === 'files.push');
      if (push && push.outcome !== 'ok' && leftovers(tree.allowed).length === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(fs.existsSync(remote)).toBe(false);
    fs.rmSync(source);
  });

  it('refuses a declared size over transfer.maxFileSize before sending a byte', async () => {
    const small = await startTestDaemon((c) => {
      tree.configure(c);
      c.transfer.maxFileSize = 1024;
    });
    const c = createLoopsyClient({ url: small.url, apiKey: small.apiKey });
    try {
      const source = path.join(local, 'two-k.bin');
      fs.writeFileSync(source, Buffer.alloc(2048));
      let sent = 0;
      const got = await failure(
        pushFile(c, {
          localPath: source,
          remotePath: path.join(tree.allowed, 'two-k.bin'),
          onProgress: (p) => p.phase === 'sending' && (sent = p.bytes),
        }),
      );
      expect(got).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        message: expect.stringMatching(/maxFileSize/),
      });
      expect(sent).toBe(0);
      expect(small.daemon.services.audit.newest(5).map((e) => e.procedure)).not.toContain(
        'files.push',
      );
    } finally {
      await c.close();
      await small.stop();
    }
  });

  it('rejects a stream whose SHA-256 is not the declared one, leaving the target as it was', async () => {
    const target = path.join(tree.allowed, 'kept.txt');
    fs.writeFileSync(target, 'original');
    const got = await failure(
      pushFile(client, {
        stream: Readable.from([Buffer.from('tampered')]),
        size: 8,
        sha256: sha('expected'),
        remotePath: target,
        overwrite: true,
      }),
    );
    expect(got).toMatchObject({
      code: 'UNPROCESSABLE_CONTENT',
      message: expect.stringMatching(/nothing was written/),
    });
    expect(fs.readFileSync(target, 'utf8')).toBe('original');
    expect(leftovers(tree.allowed)).toEqual([]);
  });

  it('answers CONFLICT for an existing target without overwrite, and replaces it with overwrite', async () => {
    const target = path.join(tree.allowed, 'exists.txt');
    fs.writeFileSync(target, 'old');
    const source = path.join(local, 'new.txt');
    fs.writeFileSync(source, 'new');
    const conflict = await failure(pushFile(client, { localPath: source, remotePath: target }));
    expect(conflict).toMatchObject({ code: 'CONFLICT', name: 'TRPCClientError' });
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    await pushFile(client, { localPath: source, remotePath: target, overwrite: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
  });

  it('pulls into an existing folder only with overwrite for an existing file, and says what is wrong locally', async () => {
    const remote = path.join(tree.allowed, 'pull-me.txt');
    fs.writeFileSync(remote, 'remote');
    const dest = path.join(local, 'pulled.txt');
    fs.writeFileSync(dest, 'local');
    const refused = await failure(pullFile(client, { remotePath: remote, localPath: dest }));
    expect(refused).toMatchObject({
      name: 'TransferError',
      message: expect.stringMatching(/--overwrite/),
    });
    await pullFile(client, { remotePath: remote, localPath: dest, overwrite: true });
    expect(fs.readFileSync(dest, 'utf8')).toBe('remote');
    const noSource = await failure(
      pushFile(client, { localPath: path.join(local, 'nope'), remotePath: remote }),
    );
    expect(noSource).toMatchObject({
      name: 'TransferError',
      message: expect.stringMatching(/no such file/),
    });
    const outside = await failure(
      pullFile(client, {
        remotePath: path.join(tree.outside, 'x'),
        localPath: path.join(local, 'never.txt'),
      }),
    );
    expect(outside.code).toBe('FORBIDDEN');
  });

  it('works through the unix socket, and refuses peers it cannot reach yet', async () => {
    const socket = d.daemon.socket;
    expect(socket).toBeDefined();
    const viaSocket = connectSocket(socket as string);
    try {
      const source = path.join(local, 'sock.txt');
      fs.writeFileSync(source, 'through the socket');
      const remote = path.join(tree.allowed, 'sock.txt');
      const out = await pushFile(viaSocket, { localPath: source, remotePath: remote });
      expect(out.size).toBe(18);
      const back = path.join(local, 'sock-back.txt');
      await pullFile(viaSocket, { remotePath: remote, localPath: back });
      expect(fs.readFileSync(back, 'utf8')).toBe('through the socket');
      const peer = await failure(
        pushFile(viaSocket, { localPath: source, remotePath: remote, peer: 'laptop-b' }),
      );
      expect(peer.message).toMatch(/peers are not available yet/);
    } finally {
      await viaSocket.close();
    }
  });

  it('stops on an abort signal and leaves nothing behind', async () => {
    const source = path.join(local, 'abort.bin');
    await writePattern(source, 64 * MiB);
    const controller = new AbortController();
    const remote = path.join(tree.allowed, 'abort.bin');
    const got = await failure(
      pushFile(client, {
        localPath: source,
        remotePath: remote,
        signal: controller.signal,
        onProgress: (p) => p.phase === 'sending' && p.bytes > 8 * MiB && controller.abort(),
      }),
    );
    expect(got).toMatchObject({
      name: 'TransferError',
      message: expect.stringMatching(/cancelled/),
    });
    for (;;) {
      const push = d.daemon.services.audit.newest(20).find((e) => e.procedure === 'files.push');
      if (push && push.outcome !== 'ok' && leftovers(tree.allowed).length === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(fs.existsSync(remote)).toBe(false);
    fs.rmSync(source);
  });
});

describe('binary inputs through the typed client', () => {
  it.each(['http', 'ws'] as const)(
    'sends a Blob to files.push over %s (a plain HTTP request)',
    async (transport) => {
      const c = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport });
      try {
        const target = path.join(tree.allowed, `blob-${transport}.txt`);
        const body = new Blob(['blob body']);
        const { uploadId } = await c.files.beginPush.mutate({
          path: target,
          size: 9,
          sha256: sha('blob body'),
        });
        const out = await c.files.push.mutate(body, { context: { uploadId } });
        expect(out).toEqual({ path: target, size: 9, sha256: sha('blob body') });
        const missing = await c.files.push.mutate(new Uint8Array([1])).catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(TRPCClientError);
        expect((missing as Error).message).toMatch(/x-loopsy-upload/);
      } finally {
        await c.close();
      }
    },
  );

  it('sends a Blob through the unix socket too', async () => {
    const c = connectSocket(d.daemon.socket as string);
    try {
      const target = path.join(tree.allowed, 'blob-socket.txt');
      const { uploadId } = await c.files.beginPush.mutate({
        path: target,
        size: 4,
        sha256: sha('sock'),
      });
      await c.files.push.mutate(new Blob(['sock']), { context: { uploadId } });
      expect(fs.readFileSync(target, 'utf8')).toBe('sock');
    } finally {
      await c.close();
    }
  });

  it('is refused, with a clear error, on a client that has no HTTP endpoint (a relay client)', async () => {
    // A relay client is built without one; any object not made by createLoopsyClient({ url }) is the same case.
    const noEndpoint = {} as LoopsyClient;
    const got = await failure(
      pullFile(noEndpoint, { remotePath: '/x', localPath: path.join(local, 'x') }),
    );
    expect(got).toMatchObject({ name: 'TransferError', message: expect.stringMatching(/relay/) });
    expect(got.name).toBe(TransferError.name);
  });
});
