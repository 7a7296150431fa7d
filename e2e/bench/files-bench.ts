// File transfer benchmarks: a 1 GiB push and pull through the SDK helpers against a daemon process, vs a raw
// octet-stream upload and download to a plain Node HTTP server process on loopback in the same run (the floor),
// and the daemon's peak RSS while it moves the bytes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createLoopsyClient, pullFile, pushFile } from '@loopsy/client-sdk/node';
import { makeTempHome } from '@loopsy/daemon/test-support';
import { mib, mibps } from './stats.js';
import { progress, rssOf, type BenchRow } from './terminal-bench.js';

const require = createRequire(import.meta.url);
const MiB = 1024 * 1024;
const CHUNK = MiB;
const ROUNDS = 2;

/** Waits until dirty pages are on disk (sync(1)), so one step's write-back does not slow the next. */
function settleDisk(): void {
  spawnSync('sync');
}

/** The floor: a plain Node server that writes uploads to a file and serves it back, in its own process. */
const FLOOR_SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const file = process.argv[1];
http.createServer(async (req, res) => {
  try {
    if (req.method === 'POST') {
      await pipeline(req, fs.createWriteStream(file, { highWaterMark: ${CHUNK} }));
      res.end('ok');
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size });
      await pipeline(fs.createReadStream(file, { highWaterMark: ${CHUNK} }), res);
    }
  } catch (err) { res.destroy(); }
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

async function startFloorServer(file: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', FLOOR_SERVER, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (c: Buffer) => resolve(Number(c.toString().trim())));
    child.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
  });
  return { child, port };
}

async function floorUpload(port: number, source: string, size: number): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream', 'content-length': size },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    pipeline(fs.createReadStream(source, { highWaterMark: CHUNK }), req).catch(reject);
  });
  return size / ((performance.now() - t0) / 1000);
}

async function floorDownload(port: number, dest: string, size: number): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, agent: false }, (res) => {
        pipeline(res, fs.createWriteStream(dest, { highWaterMark: CHUNK })).then(resolve, reject);
      })
      .on('error', reject);
  });
  if (fs.statSync(dest).size !== size) throw new Error('floor download is short');
  return size / ((performance.now() - t0) / 1000);
}

/** `size` bytes of a fixed pseudo-random pattern (each MiB stamped with its index), streamed to `file`. */
async function writePattern(file: string, size: number): Promise<void> {
  const block = createHash('sha512').update('loopsy-bench').digest();
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

/** A daemon process of its own, sharing only `share`: its RSS is the daemon's alone. */
async function startDaemonProcess(
  share: string,
): Promise<{ url: string; apiKey: string; pid: number; stop: () => Promise<void> }> {
  const temp = makeTempHome((c) => {
    c.transfer.allowedPaths = [share];
    c.transfer.maxFileSize = 4 * 1024 * MiB;
  });
  const bin = require.resolve('@loopsy/cli/bin');
  const run = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], {
        env: { ...process.env, LOOPSY_HOME: temp.home },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`loopsy ${args.join(' ')} failed`)),
      );
    });
  const started = JSON.parse(await run(['start', '--port', '0', '--json'])) as {
    pid: number;
    url: string;
  };
  return {
    url: started.url,
    apiKey: temp.apiKey,
    pid: started.pid,
    async stop() {
      await run(['stop']).catch(() => undefined);
      temp.cleanup();
    },
  };
}

/**
 * The rows for docs/performance.md. Transfers run against a daemon process of their own (not the run's
 * in-process one), so its RSS is measurable and its config shares only the bench's temp folder.
 */
export async function filesBench(sizeBytes = 1024 * MiB): Promise<BenchRow[]> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-files-bench-')));
  const share = path.join(dir, 'share');
  const local = path.join(dir, 'local');
  fs.mkdirSync(share);
  fs.mkdirSync(local);
  const source = path.join(local, 'source.bin');
  const label = sizeBytes >= 1024 * MiB ? `${sizeBytes / 1024 / MiB} GiB` : mib(sizeBytes);
  let floor: { child: ChildProcess; port: number } | undefined;
  let daemon: Awaited<ReturnType<typeof startDaemonProcess>> | undefined;
  try {
    progress(`files: writing a ${label} source file`);
    await writePattern(source, sizeBytes);

    floor = await startFloorServer(path.join(dir, 'floor.bin'));
    daemon = await startDaemonProcess(share);
    const client = createLoopsyClient({ url: daemon.url, apiKey: daemon.apiKey });
    const pid = daemon.pid;
    const best = { floorUp: 0, floorDown: 0, push: 0, pull: 0 };
    const rate = (t0: number) => sizeBytes / ((performance.now() - t0) / 1000);
    try {
      await client.system.status.query();
      const idle = rssOf(pid);
      let peak = idle;
      const poll = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
      try {
        // Floor and measure take turns, each after the disk has caught up (sync), best of ROUNDS: the
        // page cache's write-back of one step must not be billed to the next.
        for (let round = 1; round <= ROUNDS; round++) {
          progress(`files: round ${round}/${ROUNDS}: raw HTTP upload (floor), then pushFile`);
          settleDisk();
          let t0 = performance.now();
          await floorUpload(floor.port, source, sizeBytes);
          best.floorUp = Math.max(best.floorUp, rate(t0));
          settleDisk();
          t0 = performance.now();
          const pushed = await pushFile(client, {
            localPath: source,
            remotePath: path.join(share, `pushed-${round}.bin`),
          });
          best.push = Math.max(best.push, rate(t0));
          progress(`files: round ${round}/${ROUNDS}: raw HTTP download (floor), then pullFile`);
          settleDisk();
          t0 = performance.now();
          await floorDownload(floor.port, path.join(local, 'floor-back.bin'), sizeBytes);
          best.floorDown = Math.max(best.floorDown, rate(t0));
          settleDisk();
          t0 = performance.now();
          const pulled = await pullFile(client, {
            remotePath: pushed.path,
            localPath: path.join(local, `pulled-${round}.bin`),
          });
          best.pull = Math.max(best.pull, rate(t0));
          if (pulled.sha256 !== pushed.sha256 || pulled.size !== sizeBytes) {
            throw new Error('the pulled file differs from the pushed one');
          }
          for (const f of [pushed.path, pulled.path, path.join(local, 'floor-back.bin')])
            fs.rmSync(f);
        }
      } finally {
        clearInterval(poll);
      }
      return [
        {
          metric: `file push ${label} (SDK pushFile vs raw HTTP upload)`,
          floor: mibps(best.floorUp),
          measured: mibps(best.push),
          ratio: (best.push / best.floorUp).toFixed(2),
          target: '>= 0.6',
        },
        {
          metric: `file pull ${label} (SDK pullFile vs raw HTTP download)`,
          floor: mibps(best.floorDown),
          measured: mibps(best.pull),
          ratio: (best.pull / best.floorDown).toFixed(2),
          target: '>= 0.6',
        },
        {
          metric: `daemon RSS while moving ${label} each way`,
          floor: `${mib(idle)} idle`,
          measured: `${mib(peak)} peak`,
          ratio: `+${mib(peak - idle)}`,
          target: '< 150 MiB peak',
        },
      ];
    } finally {
      await client.close();
    }
  } finally {
    floor?.child.kill('SIGTERM');
    await daemon?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
