// Terminal benchmarks: keystroke echo latency and output throughput over WebSocket vs in-process node-pty,
// and daemon memory with one stalled viewer during a flood. Every figure is against a floor from the same run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as pty from 'node-pty';
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { mib, mibps, ms, percentile } from './stats.js';

const require = createRequire(import.meta.url);
const ECHO_SAMPLES = 300;
const FLOOD_LINES = 2_000_000;

export interface BenchRow {
  metric: string;
  floor: string;
  measured: string;
  ratio: string;
  target: string;
}

async function ptyEchoFloor(): Promise<number[]> {
  const p = pty.spawn('cat', [], { cols: 80, rows: 24, encoding: null });
  const samples: number[] = [];
  let waiting: ((v: void) => void) | undefined;
  p.onData(() => waiting?.());
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < ECHO_SAMPLES; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      p.write('a');
    });
    samples.push(performance.now() - t0);
  }
  p.kill();
  return samples;
}

export async function wsEcho(client: LoopsyClient): Promise<number[]> {
  const s = await client.terminal.create.mutate({
    agent: 'custom',
    command: 'cat',
    cols: 80,
    rows: 24,
  });
  let waiting: (() => void) | undefined;
  const sub = client.terminal.onOutput.subscribe(
    { id: s.id },
    { onData: ({ data }) => data.type === 'data' && waiting?.() },
  );
  await new Promise((r) => setTimeout(r, 200));
  const samples: number[] = [];
  for (let i = 0; i < ECHO_SAMPLES; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      void client.terminal.write.mutate({ id: s.id, data: 'a' });
    });
    samples.push(performance.now() - t0);
  }
  sub.unsubscribe();
  await client.terminal.remove.mutate({ id: s.id });
  return samples;
}

async function ptyThroughputFloor(): Promise<number> {
  const p = pty.spawn('seq', ['1', String(FLOOD_LINES)], { cols: 80, rows: 24, encoding: null });
  let bytes = 0;
  const t0 = performance.now();
  p.onData((d: string | Buffer) => (bytes += d.length));
  await new Promise<void>((resolve) => p.onExit(() => resolve()));
  return bytes / ((performance.now() - t0) / 1000);
}

export async function wsThroughput(client: LoopsyClient): Promise<number> {
  const t0 = performance.now();
  const s = await client.terminal.create.mutate({
    agent: 'custom',
    command: 'seq',
    args: ['1', String(FLOOD_LINES)],
    cols: 80,
    rows: 24,
  });
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const sub = client.terminal.onOutput.subscribe(
      { id: s.id, lastEventId: '0' },
      {
        onData: ({ data }) => {
          if (data.type === 'data') bytes += Buffer.from(data.data, 'base64').length;
          if (data.type === 'exit') {
            sub.unsubscribe();
            resolve();
          }
        },
        onError: reject,
      },
    );
  });
  const rate = bytes / ((performance.now() - t0) / 1000);
  await client.terminal.remove.mutate({ id: s.id });
  return rate;
}

export function progress(step: string): void {
  process.stderr.write(`bench: ${step}\n`);
}

export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** A real daemon process; one viewer stops reading while a flood runs. Returns idle and peak RSS. */
async function stalledViewerRss(): Promise<{ idle: number; peak: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-bench-'));
  const bin = require.resolve('@loopsy/cli/bin');
  const run = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], {
        env: { ...process.env, LOOPSY_HOME: home },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`loopsy ${args.join(' ')} failed`)),
      );
    });
  try {
    const started = JSON.parse(await run(['start', '--port', '0', '--json'])) as {
      pid: number;
      url: string;
      port?: number;
    };
    const apiKey = fs.readFileSync(path.join(home, 'api-key'), 'utf8').trim();
    const port = Number(new URL(started.url).port);
    const proxy = await startTcpProxy(port);
    const driver = createLoopsyClient({ url: started.url, apiKey, transport: 'ws' });
    const stalled = createLoopsyClient({ url: proxy.url, apiKey, transport: 'ws' });
    try {
      await driver.system.status.query();
      await new Promise((r) => setTimeout(r, 500));
      const idle = rssOf(started.pid);
      // Flood: the session prints 64 MiB while the viewer stops reading after its first bytes.
      const s = await driver.terminal.create.mutate({
        agent: 'custom',
        command: 'sh',
        args: ['-c', "sleep 0.5; head -c 67108864 /dev/zero | tr '\\0' y; sleep 1"],
        cols: 80,
        rows: 24,
      });
      let paused = false;
      const sub = stalled.terminal.onOutput.subscribe(
        { id: s.id, lastEventId: '0' },
        {
          onData: ({ data }) => {
            if (data.type === 'data' && !paused) {
              paused = true;
              proxy.pauseAll();
            }
          },
        },
      );
      let peak = idle;
      const poll = setInterval(() => (peak = Math.max(peak, rssOf(started.pid))), 20);
      for (;;) {
        const info = await driver.terminal.get.query({ id: s.id });
        if (info.state === 'exited') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      clearInterval(poll);
      sub.unsubscribe();
      return { idle, peak };
    } finally {
      await driver.close();
      await stalled.close();
      await proxy.close();
    }
  } finally {
    await run(['stop']).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

export async function terminalBench(url: string, apiKey: string): Promise<BenchRow[]> {
  const client = createLoopsyClient({ url, apiKey, transport: 'ws' });
  try {
    progress('terminal: echo floor (in-process PTY)');
    const floorEcho = await ptyEchoFloor();
    progress('terminal: echo over WebSocket');
    const echo = await wsEcho(client);
    progress('terminal: throughput floor');
    const floorRate = await ptyThroughputFloor();
    progress('terminal: throughput over WebSocket');
    const rate = await wsThroughput(client);
    progress('terminal: daemon memory with a stalled viewer');
    const rss = await stalledViewerRss();
    const p50 = percentile(echo, 50);
    const f50 = percentile(floorEcho, 50);
    return [
      {
        metric: 'keystroke echo p50 (WS vs in-process PTY)',
        floor: ms(f50),
        measured: ms(p50),
        ratio: `+${ms(p50 - f50)}`,
        target: 'added <= 1 ms',
      },
      {
        metric: 'keystroke echo p99',
        floor: ms(percentile(floorEcho, 99)),
        measured: ms(percentile(echo, 99)),
        ratio: `+${ms(percentile(echo, 99) - percentile(floorEcho, 99))}`,
        target: '-',
      },
      {
        metric: 'output throughput (WS vs in-process PTY read)',
        floor: mibps(floorRate),
        measured: mibps(rate),
        ratio: (rate / floorRate).toFixed(2),
        target: '>= 0.5',
      },
      {
        metric: 'daemon RSS, one stalled viewer, 64 MiB flood',
        floor: `${mib(rss.idle)} idle`,
        measured: `${mib(rss.peak)} peak`,
        ratio: `+${mib(rss.peak - rss.idle)}`,
        target: '<= +64 MiB',
      },
    ];
  } finally {
    await client.close();
  }
}
