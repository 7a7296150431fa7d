import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeShareTree,
  startTestDaemon,
  type ShareTree,
  type TestDaemon,
} from '../test-support/index.js';

let d: TestDaemon;
let tree: ShareTree;
const MAX = 1024 * 1024;

beforeAll(async () => {
  tree = makeShareTree();
  d = await startTestDaemon((c) => {
    tree.configure(c);
    c.transfer.maxFileSize = MAX;
  });
});
afterAll(async () => {
  await d.stop();
  tree.cleanup();
});

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
  body: Buffer;
}

/** One raw HTTP request to the daemon; `body` is written at once, or driven by `drive` (which may destroy it). */
function request(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: Buffer | ((req: http.ClientRequest) => void),
): Promise<Answer | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request(`${d.url}${url}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          trailers: res.trailers,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('error', (err) => resolve({ error: err.message }));
    if (typeof body === 'function') body(req);
    else req.end(body);
  });
}

const auth = () => ({ authorization: `Bearer ${d.apiKey}` });

async function trpc<T>(procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${d.url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const json = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!json.result) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
  return json.result.data;
}

const begin = (p: string, size: number, digest: string) =>
  trpc<{ uploadId: string }>('files.beginPush', { path: p, size, sha256: digest });

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.loopsy-upload-'));
}

/** Waits until the audit trail has a line for `procedure` after `since` entries: the daemon is done with it. */
async function audited(procedure: string, count: number) {
  for (;;) {
    const hits = d.daemon.services.audit.newest(50).filter((e) => e.procedure === procedure);
    if (hits.length >= count) return hits[0];
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('files.push over HTTP (octet-stream body, upload id in a header)', () => {
  it('writes the body to the target', async () => {
    const target = path.join(tree.allowed, 'raw.bin');
    const body = Buffer.from('raw bytes over http');
    const { uploadId } = await begin(target, body.length, sha(body));
    const res = await request(
      'POST',
      '/trpc/files.push',
      { ...auth(), 'content-type': 'application/octet-stream', 'x-loopsy-upload': uploadId },
      body,
    );
    expect(res).toMatchObject({ status: 200 });
    expect(JSON.parse((res as Answer).body.toString())).toEqual({
      result: { data: { path: target, size: body.length, sha256: sha(body) } },
    });
    expect(fs.readFileSync(target)).toEqual(body);
  });

  it('is not limited by server.maxBodyBytes, only by transfer.maxFileSize', async () => {
    const target = path.join(tree.allowed, 'three-mib.bin');
    // A second daemon whose maxBodyBytes (64 KiB) is far below the file, and maxFileSize above it.
    const big = await startTestDaemon((c) => {
      tree.configure(c);
      c.transfer.maxFileSize = 8 * MAX;
      c.server.maxBodyBytes = 64 * 1024;
    });
    try {
      const body = Buffer.alloc(3 * MAX, 7);
      const started = await fetch(`${big.url}/trpc/files.beginPush`, {
        method: 'POST',
        headers: { authorization: `Bearer ${big.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ path: target, size: body.length, sha256: sha(body) }),
      });
      const { result } = (await started.json()) as { result: { data: { uploadId: string } } };
      const res = await fetch(`${big.url}/trpc/files.push`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${big.apiKey}`,
          'content-type': 'application/octet-stream',
          'x-loopsy-upload': result.data.uploadId,
        },
        body,
      });
      expect(res.status).toBe(200);
      expect(fs.statSync(target).size).toBe(body.length);
    } finally {
      await big.stop();
    }
  });

  it('leaves nothing when the client aborts mid-stream', async () => {
    const target = path.join(tree.allowed, 'aborted.bin');
    const { uploadId } = await begin(target, MAX, sha(Buffer.alloc(MAX)));
    const before = d.daemon.services.audit
      .newest(50)
      .filter((e) => e.procedure === 'files.push').length;
    const res = await request(
      'POST',
      '/trpc/files.push',
      {
        ...auth(),
        'content-type': 'application/octet-stream',
        'content-length': String(MAX),
        'x-loopsy-upload': uploadId,
      },
      (req) => {
        req.write(Buffer.alloc(256 * 1024));
        void (async () => {
          while (leftovers(tree.allowed).length === 0) await new Promise((r) => setTimeout(r, 5));
          req.destroy();
        })();
      },
    );
    expect(res).toHaveProperty('error');
    const entry = await audited('files.push', before + 1);
    expect(entry?.outcome).toBe('CLIENT_CLOSED_REQUEST');
    expect(leftovers(tree.allowed)).toEqual([]);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('cuts off a body longer than declared, leaves nothing, and stays up', async () => {
    const target = path.join(tree.allowed, 'liar.bin');
    const { uploadId } = await begin(target, 10, sha('0123456789'));
    const res = await request(
      'POST',
      '/trpc/files.push',
      { ...auth(), 'content-type': 'application/octet-stream', 'x-loopsy-upload': uploadId },
      (req) => {
        // Chunked, no length: 8 MiB (8x maxFileSize) while 10 bytes were declared.
        const chunk = Buffer.alloc(64 * 1024, 1);
        let sent = 0;
        const more = (): void => {
          while (sent < 8 * MAX) {
            sent += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', more);
              return;
            }
          }
          req.end();
        };
        more();
      },
    );
    if ('status' in res) {
      expect(res.status).toBe(413);
      expect(res.body.toString()).toMatch(/More bytes arrived than the 10 declared/);
    }
    expect(leftovers(tree.allowed)).toEqual([]);
    expect(fs.existsSync(target)).toBe(false);
    expect((await fetch(`${d.url}/trpc/system.health`)).status).toBe(200);
  });

  it('refuses a body without a valid upload id before reading it', async () => {
    const res = await request(
      'POST',
      '/trpc/files.push',
      { ...auth(), 'content-type': 'application/octet-stream', 'x-loopsy-upload': 'nope' },
      Buffer.from('x'),
    );
    expect(res).toMatchObject({ status: 404 });
    const anon = await request(
      'POST',
      '/trpc/files.push',
      { 'content-type': 'application/octet-stream' },
      Buffer.from('x'),
    );
    expect(anon).toMatchObject({ status: 401 });
  });
});

describe('GET /files/download', () => {
  const pull = (p: string, token = d.apiKey) =>
    fetch(`${d.url}/trpc/files.pull`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: p }),
    })
      .then((r) => r.json())
      .then((j) => (j as { result: { data: { ticket: string; size: number } } }).result.data);

  it('streams the bytes with their size and a SHA-256 trailer, once, and audits it', async () => {
    const file = path.join(tree.allowed, 'down.bin');
    const content = Buffer.alloc(300 * 1024, 3);
    fs.writeFileSync(file, content);
    const { ticket, size } = await pull(file);
    expect(size).toBe(content.length);
    const res = (await request('GET', '/files/download', {
      ...auth(),
      'x-loopsy-ticket': ticket,
    })) as Answer;
    expect(res.status).toBe(200);
    expect(res.headers['x-loopsy-size']).toBe(String(content.length));
    expect(res.body.equals(content)).toBe(true);
    expect(res.trailers['x-loopsy-sha256']).toBe(sha(content));
    const again = (await request('GET', '/files/download', {
      ...auth(),
      'x-loopsy-ticket': ticket,
    })) as Answer;
    expect(again.status).toBe(404);
    const entries = d.daemon.services.audit
      .newest(10)
      .filter((e) => e.procedure === 'files.download');
    // Both calls are audited (the first one's line may land second: it is written once its file is closed).
    expect(entries.map((e) => e.outcome).sort()).toEqual(['NOT_FOUND', 'ok']);
    expect(JSON.stringify(entries)).not.toContain(ticket);
  });

  it('sends what was checked: a file that shrinks arrives short, with the hash of what was sent', async () => {
    const file = path.join(tree.allowed, 'shrinks.bin');
    fs.writeFileSync(file, Buffer.alloc(4096, 1));
    const { ticket, size } = await pull(file);
    fs.truncateSync(file, 1000);
    const res = (await request('GET', '/files/download', {
      ...auth(),
      'x-loopsy-ticket': ticket,
    })) as Answer;
    expect(size).toBe(4096);
    expect(res.body.length).toBe(1000);
    expect(res.trailers['x-loopsy-sha256']).toBe(sha(Buffer.alloc(1000, 1)));
  });

  it('refuses a missing ticket, another caller, no key, and a foreign Host', async () => {
    const file = path.join(tree.allowed, 'guarded.bin');
    fs.writeFileSync(file, 'guarded');
    const { ticket } = await pull(file);
    const none = (await request('GET', '/files/download', auth())) as Answer;
    expect(none.status).toBe(400);
    const anon = (await request('GET', '/files/download', { 'x-loopsy-ticket': ticket })) as Answer;
    expect(anon.status).toBe(401);
    const peer = d.daemon.services.credentials.issue('peer', 'laptop-b').token;
    const other = (await request('GET', '/files/download', {
      authorization: `Bearer ${peer}`,
      'x-loopsy-ticket': ticket,
    })) as Answer;
    expect(other.status).toBe(404);
    const rebound = (await request('GET', '/files/download', {
      ...auth(),
      host: 'evil.example',
      'x-loopsy-ticket': ticket,
    })) as Answer;
    expect(rebound.status).toBe(421);
    // None of that spent the owner's ticket.
    const ok = (await request('GET', '/files/download', {
      ...auth(),
      'x-loopsy-ticket': ticket,
    })) as Answer;
    expect(ok.body.toString()).toBe('guarded');
    const post = (await request('POST', '/files/download', auth())) as Answer;
    expect(post.status).toBe(400);
  });
});
