// Relay benchmarks: echo latency and throughput through relay + encryption vs direct WebSocket in the same run,
// and a separate relay process holding 1 000 idle tunnels while 100 more are busy.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  createLoopsyClient,
  redeemPairing,
  type LoopsyClient,
  type PhoneCredentials,
} from '@loopsy/client-sdk/node';
import { mib, mibps, ms, percentile } from './stats.js';
import { progress, rssOf, wsEcho, wsThroughput, type BenchRow } from './terminal-bench.js';

const require = createRequire(import.meta.url);
const IDLE_TUNNELS = 1000;
const BUSY_TUNNELS = 100;

async function startRelayProcess(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      require.resolve('@loopsy/cli/bin'),
      'relay',
      'serve',
      '--port',
      '0',
      '--data',
      dataDir,
      // Every simulated phone comes from 127.0.0.1, so the per-address connect limit is raised.
      '--connects-per-minute',
      '100000',
      '--json',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"url": "([^"]+)"/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
  });
  return { child, url };
}

async function pair(owner: LoopsyClient): Promise<PhoneCredentials> {
  const offer = await owner.phones.createPairing.mutate({ ttlSeconds: 300 });
  return redeemPairing({ link: offer.link, code: offer.code, name: 'bench-phone' });
}

export async function relayBench(
  owner: LoopsyClient,
  waitConnected: () => Promise<boolean>,
): Promise<BenchRow[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-relay-bench-'));
  const relay = await startRelayProcess(dataDir);
  const clients: LoopsyClient[] = [];
  try {
    progress('relay: configure and pair');
    await owner.relay.configure.mutate({ url: relay.url });
    await waitConnected();
    const creds = await pair(owner);
    const phone = createLoopsyClient({ relay: creds });
    clients.push(phone);

    progress('relay: echo direct vs tunnel');
    const direct = await wsEcho(owner);
    const tunneled = await wsEcho(phone);
    progress('relay: throughput direct vs tunnel');
    const directRate = await wsThroughput(owner);
    const tunnelRate = await wsThroughput(phone);

    // Idle tunnels: each client opens its tunnel with one call, then stays connected doing nothing.
    const pid = relay.child.pid ?? 0;
    progress(`relay: opening ${IDLE_TUNNELS} idle tunnels`);
    const baseRss = rssOf(pid);
    for (let i = 0; i < IDLE_TUNNELS; i += 50) {
      const batch = Array.from({ length: 50 }, () => createLoopsyClient({ relay: creds }));
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.system.health.query()));
      if ((i + 50) % 250 === 0) progress(`relay: ${i + 50} idle tunnels open`);
    }
    const idleRss = rssOf(pid);
    // Busy tunnels: 100 clients calling as fast as they can while the phone measures its echo.
    progress(`relay: echo beside ${BUSY_TUNNELS} busy tunnels`);
    const busy = Array.from({ length: BUSY_TUNNELS }, () => createLoopsyClient({ relay: creds }));
    clients.push(...busy);
    let running = true;
    const load = busy.map(async (c) => {
      while (running) await c.system.health.query();
    });
    const underLoad = await wsEcho(phone);
    running = false;
    await Promise.all(load);
    const busyRss = rssOf(pid);

    const d50 = percentile(direct, 50);
    const t50 = percentile(tunneled, 50);
    return [
      {
        metric: 'keystroke echo p50 (relay + E2E vs direct WS)',
        floor: ms(d50),
        measured: ms(t50),
        ratio: `+${ms(t50 - d50)}`,
        target: 'added <= 1 ms',
      },
      {
        metric: 'keystroke echo p99 (relay + E2E vs direct WS)',
        floor: ms(percentile(direct, 99)),
        measured: ms(percentile(tunneled, 99)),
        ratio: `+${ms(percentile(tunneled, 99) - percentile(direct, 99))}`,
        target: '-',
      },
      {
        metric: 'terminal throughput (relay + E2E vs direct WS)',
        floor: mibps(directRate),
        measured: mibps(tunnelRate),
        ratio: (tunnelRate / directRate).toFixed(2),
        target: '>= 0.7',
      },
      {
        metric: `relay RSS per idle tunnel (${IDLE_TUNNELS} tunnels)`,
        floor: `${mib(baseRss)} with 1 tunnel`,
        measured: `${mib(idleRss)}`,
        ratio: `${((idleRss - baseRss) / IDLE_TUNNELS / 1024).toFixed(1)} KiB/tunnel`,
        target: '-',
      },
      {
        metric: `echo p50 with ${BUSY_TUNNELS} busy tunnels beside it`,
        floor: ms(t50),
        measured: ms(percentile(underLoad, 50)),
        ratio: `+${ms(percentile(underLoad, 50) - t50)} (p99 ${ms(percentile(underLoad, 99))}); relay RSS ${mib(busyRss)}`,
        target: '-',
      },
    ];
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    relay.child.kill('SIGTERM');
    await new Promise((r) => relay.child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
