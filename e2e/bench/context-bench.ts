// Context store benchmarks: set/get calls per second over WebSocket (sequential and pipelined) against the same
// procedures called in-process (createCaller on services of their own) in the same run, with the ratio.
import { createLoopsyClient } from '@loopsy/client-sdk/node';
import {
  appRouter,
  createCallerFactory,
  createContextInner,
  loadConfig,
  openServices,
} from '@loopsy/daemon';
import { makeTempHome } from '@loopsy/daemon/test-support';
import { ms, percentile } from './stats.js';
import { progress, type BenchRow } from './terminal-bench.js';

const SEQUENTIAL = 1000;
const PIPELINED = 2000;
const IN_FLIGHT = 64;
const VALUE = 'v'.repeat(100);

interface Ops {
  set(key: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

interface Run {
  opsPerSec: number;
  /** Per-call latency samples (sequential runs only). */
  samples: number[];
}

async function sequential(call: (key: string) => Promise<unknown>, prefix: string): Promise<Run> {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    await call(`${prefix}:${i}`);
    samples.push(performance.now() - t0);
  }
  return { opsPerSec: SEQUENTIAL / ((performance.now() - started) / 1000), samples };
}

/** IN_FLIGHT callers sharing one connection, each starting its next call when the last one answered. */
async function pipelined(call: (key: string) => Promise<unknown>, prefix: string): Promise<Run> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < PIPELINED) {
        const i = next++;
        await call(`${prefix}:${i % SEQUENTIAL}`);
      }
    }),
  );
  return { opsPerSec: PIPELINED / ((performance.now() - started) / 1000), samples: [] };
}

async function measureSequential(ops: Ops, label: string): Promise<{ set: Run; get: Run }> {
  progress(`context: ${label} sequential set/get`);
  const set = await sequential((k) => ops.set(k), 'bench');
  const get = await sequential((k) => ops.get(k), 'bench');
  return { set, get };
}

function rate(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')} ops/s`;
}

function row(metric: string, floor: Run, measured: Run, target: string): BenchRow {
  const latency = (r: Run): string =>
    r.samples.length > 0
      ? ` (p50 ${ms(percentile(r.samples, 50))}, p99 ${ms(percentile(r.samples, 99))})`
      : '';
  return {
    metric,
    floor: `${rate(floor.opsPerSec)}${latency(floor)}`,
    measured: `${rate(measured.opsPerSec)}${latency(measured)}`,
    ratio: (measured.opsPerSec / floor.opsPerSec).toFixed(2),
    target,
  };
}

export async function contextBench(url: string, apiKey: string): Promise<BenchRow[]> {
  // The floor: the same procedures, middleware and SQLite settings, called in-process on a separate folder.
  const temp = makeTempHome();
  const opened = openServices({
    home: temp.home,
    config: loadConfig(temp.home),
    sweepIntervalMs: 0,
  });
  const client = createLoopsyClient({ url, apiKey, transport: 'ws' });
  try {
    const caller = createCallerFactory(appRouter)(
      createContextInner({
        services: opened.services,
        transport: 'in-process',
        token: temp.apiKey,
      }),
    );
    // In-process calls are synchronous underneath: there is nothing to pipeline, so one floor serves both.
    const floor = await measureSequential(
      {
        set: (key) => caller.context.set({ key, value: VALUE }),
        get: (key) => caller.context.get({ key }),
      },
      'in-process',
    );
    const wsOps: Ops = {
      set: (key) => client.context.set.mutate({ key, value: VALUE }),
      get: (key) => client.context.get.query({ key }),
    };
    const ws = await measureSequential(wsOps, 'WebSocket');
    progress(`context: WebSocket pipelined set/get (${IN_FLIGHT} in flight)`);
    const pset = await pipelined((k) => wsOps.set(k), 'bench');
    const pget = await pipelined((k) => wsOps.get(k), 'bench');
    return [
      row('context.set (durable commit), sequential: WS vs in-process', floor.set, ws.set, '-'),
      row('context.get, sequential: WS vs in-process', floor.get, ws.get, '-'),
      row(
        `context.set, ${IN_FLIGHT} in flight on one WS vs in-process sequential`,
        floor.set,
        pset,
        '-',
      ),
      row(
        `context.get, ${IN_FLIGHT} in flight on one WS vs in-process sequential`,
        floor.get,
        pget,
        '-',
      ),
    ];
  } finally {
    await client.close();
    opened.close();
    temp.cleanup();
  }
}
