// Context and messages through the SDK against a real daemon: the same round trip over HTTP, WebSocket and
// the relay tunnel, and a message stream that resumes exactly after its connection is cut.
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairPhone, phoneClient } from './support/phone.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let d: TestDaemon;
let owner: LoopsyClient;
let proxy: TcpProxy;

beforeAll(async () => {
  d = await startTestDaemon((c) => {
    c.server.hostname = 'leo';
  });
  owner = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'http' });
  proxy = await startTcpProxy(d.daemon.port);
  await d.daemon.services.relay.waitConnected(10_000);
});
afterAll(async () => {
  await owner.close();
  await proxy.close();
  await d.stop();
});

type MessageEvent = { type: string; message?: { id: string; body: string } };

/**
 * Follows messages.onMessage and collects `message` events until `count` arrived. `onReady` runs once the
 * stream is in place (its first event), so sends made there cannot be missed.
 */
function collect(
  client: LoopsyClient,
  count: number,
  onReady: () => void,
  onMessage?: (n: number) => void,
): Promise<Array<{ id: string; event: MessageEvent }>> {
  return new Promise((resolve, reject) => {
    const seen: Array<{ id: string; event: MessageEvent }> = [];
    const sub = client.messages.onMessage.subscribe(
      {},
      {
        onData: ({ id, data }) => {
          const event = data as MessageEvent;
          if (event.type === 'ready') return onReady();
          if (event.type !== 'message') return;
          seen.push({ id, event });
          onMessage?.(seen.length);
          if (seen.length === count) {
            sub.unsubscribe();
            resolve(seen);
          }
        },
        onError: reject,
      },
    );
  });
}

describe('context and messages over every transport', () => {
  const transports: Array<[string, () => Promise<LoopsyClient>]> = [
    ['http', () => Promise.resolve(createLoopsyClient({ url: d.url, apiKey: d.apiKey }))],
    [
      'ws',
      () => Promise.resolve(createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'ws' })),
    ],
    ['relay', async () => phoneClient(await pairPhone(owner, 'pixel'))],
  ];

  for (const [name, connect] of transports) {
    it(`round trip over ${name}: set/get, send → onMessage → ack → receipt`, async () => {
      const client = await connect();
      try {
        const key = `probe:${name}`;
        const entry = await client.context.set.mutate({
          key,
          value: `via ${name}`,
          ttlSeconds: 60,
        });
        expect((await client.context.get.query({ key })).value).toBe(`via ${name}`);
        expect(entry.updatedBy).toBe(name === 'relay' ? 'phone:pixel' : 'owner');

        const body = `hello over ${name}`;
        const [arrived] = await collect(client, 1, () => {
          void client.messages.send.mutate({ to: 'local', body, type: 'request' });
        });
        const id = arrived?.event.message?.id ?? '';
        expect(arrived?.event.message?.body).toBe(body);
        expect((await client.messages.inbox.query()).messages.map((m) => m.id)).toContain(id);
        const ack = await client.messages.ack.mutate({ id });
        expect(ack.receipt).toEqual({ stored: true, on: 'leo' });
        expect(await client.messages.checkAck.query({ id })).toMatchObject({ acked: true });
        expect((await client.messages.inbox.query()).messages.map((m) => m.id)).not.toContain(id);
      } finally {
        await client.close();
      }
    });
  }

  it('resumes the message stream after the connection is cut: every message once, in order', async () => {
    const client = createLoopsyClient({ url: proxy.url, apiKey: d.apiKey, transport: 'ws' });
    try {
      const bodies = Array.from({ length: 6 }, (_, i) => `m${i}`);
      const got = await collect(
        client,
        bodies.length,
        () => void owner.messages.send.mutate({ to: 'local', body: 'm0' }),
        (n) => {
          if (n !== 1) return;
          // Drop the reader's socket, then send the rest while it is away; it reconnects by itself.
          proxy.cutAll();
          void (async () => {
            for (const body of bodies.slice(1))
              await owner.messages.send.mutate({ to: 'local', body });
          })();
        },
      );
      expect(got.map((g) => g.event.message?.body)).toEqual(bodies);
      const ids = got.map((g) => Number(g.id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await client.close();
    }
  });
});
