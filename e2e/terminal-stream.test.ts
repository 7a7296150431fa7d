// Terminal output over a real WebSocket: resume after a dropped connection, and a stalled viewer beside a fast one.
import { createHash } from 'node:crypto';
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const LINES = 1_400_000; // ~11 MiB of output once the PTY turns \n into \r\n
let d: TestDaemon;
let proxy: TcpProxy;

beforeAll(async () => {
  d = await startTestDaemon((c) => {
    c.terminal.bufferBytes = 64 * 1024 * 1024;
  });
  proxy = await startTcpProxy(d.daemon.port);
});
afterAll(async () => {
  await proxy.close();
  await d.stop();
});

function expectedOutput(): { sha: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  const batch: string[] = [];
  for (let i = 1; i <= LINES; i++) {
    batch.push(String(i));
    if (batch.length === 10_000 || i === LINES) {
      const chunk = `${batch.join('\r\n')}\r\n`;
      hash.update(chunk);
      bytes += chunk.length;
      batch.length = 0;
    }
  }
  return { sha: hash.digest('hex'), bytes };
}

async function generator(client: LoopsyClient): Promise<string> {
  const info = await client.terminal.create.mutate({
    agent: 'custom',
    command: 'sh',
    // The short sleep keeps the PTY open until its output is read: Linux may drop what a PTY still holds
    // when its last process exits (seen with node-pty alone), which is not what this test is about.
    args: ['-c', `seq 1 ${LINES}; sleep 1`],
    cols: 80,
    rows: 24,
  });
  return info.id;
}

/** Reads raw bytes from offset 0 to the exit event; calls `onProgress` as bytes arrive. */
function readAll(
  client: LoopsyClient,
  id: string,
  onProgress?: (bytes: number) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const sub = client.terminal.onOutput.subscribe(
      { id, lastEventId: '0' },
      {
        onData: ({ data: event }) => {
          if (event.type === 'data') {
            const chunk = Buffer.from(event.data, 'base64');
            parts.push(chunk);
            total += chunk.length;
            onProgress?.(total);
          } else if (event.type === 'snapshot') {
            reject(new Error(`unexpected snapshot (skipped ${event.skippedBytes} bytes)`));
          } else {
            sub.unsubscribe();
            resolve(Buffer.concat(parts));
          }
        },
        onError: reject,
      },
    );
  });
}

describe('terminal output over WebSocket', () => {
  it('resumes after the connection is cut mid-stream: byte-exact, nothing repeated', async () => {
    const expected = expectedOutput();
    const client = createLoopsyClient({ url: proxy.url, apiKey: d.apiKey, transport: 'ws' });
    try {
      const id = await generator(client);
      let cuts = 0;
      const out = await readAll(client, id, (bytes) => {
        if ((cuts === 0 && bytes > 2_000_000) || (cuts === 1 && bytes > 6_000_000)) {
          cuts++;
          proxy.cutAll();
        }
      });
      expect(cuts).toBe(2);
      expect(out.length).toBe(expected.bytes);
      expect(createHash('sha256').update(out).digest('hex')).toBe(expected.sha);
    } finally {
      await client.close();
    }
  });

  it('a stalled viewer neither stops a fast one nor holds more than a bounded backlog', async () => {
    const fast = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'ws' });
    const stalled = createLoopsyClient({ url: proxy.url, apiKey: d.apiKey, transport: 'ws' });
    try {
      const id = await generator(fast);
      // The stalled viewer subscribes and then stops reading: its socket's receive side is paused.
      let stalledBytes = 0;
      let paused = false;
      const slow = readAll(stalled, id, (bytes) => {
        stalledBytes = bytes;
        if (bytes > 100_000 && !paused) {
          paused = true;
          proxy.pauseAll();
        }
      });
      const expected = expectedOutput();
      const out = await readAll(fast, id);
      expect(out.length).toBe(expected.bytes);
      // While the fast viewer got everything, the stalled one was held back (the daemon did not push it all).
      expect(stalledBytes).toBeLessThan(expected.bytes / 2);
      proxy.resumeAll();
      const late = await slow;
      expect(createHash('sha256').update(late).digest('hex')).toBe(expected.sha);
    } finally {
      await fast.close();
      await stalled.close();
    }
  });
});
