// Owns the jobs of exec: policy check, spawning without a shell, concurrency, timeouts, capped or streamed output.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Config } from '../../config.js';
import { BadInput, NotFound, QuotaExceeded, Unavailable } from '../../errors.js';
import { checkCommand } from '../command-policy.js';
import { JobLog, type JobEvent, type JobStreamItem } from './job-log.js';

export type { JobEvent, JobStreamItem } from './job-log.js';

export interface ExecInput {
  command: string;
  args?: readonly string[] | undefined;
  /** Absolute; defaults to the user's home folder. */
  cwd?: string | undefined;
  /** Added to (and overriding) the daemon's environment. */
  env?: Readonly<Record<string, string>> | undefined;
  /** Written to the program's stdin, which is then closed; without it stdin is empty. */
  stdin?: string | undefined;
  timeoutMs?: number | undefined;
  /** Run `command` (with `args` appended, space-separated) as a `/bin/sh -c` script. */
  shell?: boolean | undefined;
}

export interface ExecResult {
  jobId: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Bytes the program wrote, including any beyond the cap. */
  stdoutBytes: number;
  stderrBytes: number;
  truncated: { stdout: boolean; stderr: boolean };
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
}

export type JobState = 'running' | 'exited';

export interface JobInfo {
  jobId: string;
  command: string;
  args: string[];
  cwd: string;
  shell: boolean;
  /** `run`: output returned by exec.run; `stream`: started by exec.start, readable with exec.onStream. */
  mode: 'run' | 'stream';
  pid: number | null;
  state: JobState;
  startedAt: string;
  finishedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
}

export interface JobManagerOptions {
  config: () => Config['execution'];
  env: () => Record<string, string>;
  now?: () => number;
  /** How long a finished job stays listed and streamable (default 10 min). */
  finishedGraceMs?: number;
  /** Between SIGTERM and SIGKILL when a job is cancelled or times out (default 5 s). */
  killGraceMs?: number;
  /** Output a streamed job keeps for replay (default 4 MiB); older events are dropped. */
  eventLogBytes?: number;
  /** How often finished jobs past their grace period are dropped (default 60 s). */
  reapIntervalMs?: number;
}

/** After the program exits, how long output pipes held open by its background children are waited for. */
const STDIO_GRACE_MS = 2000;

interface Capture {
  /** The cap when the job started (a config reload does not change a running job). */
  max: number;
  chunks: Buffer[];
  kept: number;
  total: number;
}

interface Job {
  id: string;
  mode: 'run' | 'stream';
  command: string;
  args: string[];
  cwd: string;
  shell: boolean;
  child: ChildProcess;
  startedAt: number;
  startedPerf: number;
  finishedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  timers: Set<NodeJS.Timeout>;
  output: { stdout: Capture; stderr: Capture };
  log: JobLog | undefined;
  done: Promise<void>;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly now: () => number;
  private readonly finishedGraceMs: number;
  private readonly killGraceMs: number;
  private readonly eventLogBytes: number;
  private readonly reapTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: JobManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.finishedGraceMs = opts.finishedGraceMs ?? 10 * 60_000;
    this.killGraceMs = opts.killGraceMs ?? 5000;
    this.eventLogBytes = opts.eventLogBytes ?? 4 * 1024 * 1024;
    this.reapTimer = setInterval(() => this.reap(), opts.reapIntervalMs ?? 60_000);
    this.reapTimer.unref();
  }

  /** Runs a command to completion and returns its (capped) output. Aborting `signal` cancels it. */
  async run(input: ExecInput, signal?: AbortSignal): Promise<ExecResult> {
    const job = await this.launch(input, 'run');
    const cancel = (): void => void this.cancel(job.id);
    signal?.addEventListener('abort', cancel, { once: true });
    if (signal?.aborted) cancel();
    try {
      await job.done;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    return {
      jobId: job.id,
      exitCode: job.exitCode,
      signal: job.signal,
      stdout: captured(job.output.stdout),
      stderr: captured(job.output.stderr),
      stdoutBytes: job.output.stdout.total,
      stderrBytes: job.output.stderr.total,
      truncated: {
        stdout: job.output.stdout.total > job.output.stdout.kept,
        stderr: job.output.stderr.total > job.output.stderr.kept,
      },
      timedOut: job.timedOut,
      cancelled: job.cancelled,
      durationMs: job.durationMs,
    };
  }

  /** Starts a streamed job; its output is read with `subscribe`. Resolves once the program has started. */
  async start(input: ExecInput): Promise<string> {
    return (await this.launch(input, 'stream')).id;
  }

  /**
   * The events of a streamed job after `lastEventId` (all retained ones without it), then live ones; ends after
   * the exit event or when `signal` aborts. Ending the iteration never stops the job.
   */
  subscribe(
    jobId: string,
    lastEventId?: string | null,
    signal?: AbortSignal,
  ): AsyncIterable<JobStreamItem> {
    const job = this.get(jobId);
    if (!job.log) {
      throw new BadInput(
        `Job ${jobId} was started with exec.run, which returns its output when it ends; only jobs started with exec.start stream.`,
      );
    }
    let after = 0;
    if (lastEventId !== undefined && lastEventId !== null) {
      if (!/^\d{1,15}$/.test(lastEventId)) {
        throw new BadInput(`lastEventId "${lastEventId}" is not an event id of job ${jobId}.`);
      }
      after = Number(lastEventId);
    }
    return job.log.follow(after, signal);
  }

  /** Asks a running job to stop (SIGTERM, SIGKILL after the grace). False when it had already ended. */
  cancel(jobId: string): boolean {
    const job = this.get(jobId);
    if (job.finishedAt !== null) return false;
    job.cancelled = true;
    this.terminate(job);
    return true;
  }

  /** Running jobs and those finished within the grace period, oldest first. */
  list(): JobInfo[] {
    this.reap();
    return [...this.jobs.values()].map((job) => ({
      jobId: job.id,
      command: job.command,
      args: job.args,
      cwd: job.cwd,
      shell: job.shell,
      mode: job.mode,
      pid: job.child.pid ?? null,
      state: job.finishedAt === null ? 'running' : 'exited',
      startedAt: new Date(job.startedAt).toISOString(),
      finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
      exitCode: job.exitCode,
      signal: job.signal,
      timedOut: job.timedOut,
      cancelled: job.cancelled,
    }));
  }

  /** Jobs running now. */
  count(): number {
    let running = 0;
    for (const job of this.jobs.values()) if (job.finishedAt === null) running++;
    return running;
  }

  /** Kills every running job and stops the reaper; used at daemon shutdown. */
  close(): void {
    this.closed = true;
    clearInterval(this.reapTimer);
    for (const job of this.jobs.values()) {
      if (job.finishedAt !== null) continue;
      job.cancelled = true;
      signalGroup(job.child, 'SIGKILL');
    }
  }

  private get(jobId: string): Job {
    this.reap();
    const job = this.jobs.get(jobId);
    if (!job) {
      throw new NotFound(
        `No job "${jobId}" (finished jobs are kept ${Math.round(this.finishedGraceMs / 60_000)} min). List jobs with \`loopsy exec --list\` or exec.jobs.`,
      );
    }
    return job;
  }

  private reap(): void {
    const now = this.now();
    for (const [id, job] of this.jobs) {
      if (job.finishedAt !== null && now - job.finishedAt >= this.finishedGraceMs) {
        this.jobs.delete(id);
      }
    }
  }

  private async launch(input: ExecInput, mode: Job['mode']): Promise<Job> {
    if (this.closed)
      throw new Unavailable('The daemon is shutting down; run the command again later.');
    this.reap();
    const config = this.opts.config();
    const args = [...(input.args ?? [])];
    const shell = input.shell === true;
    const argv = shell
      ? ['/bin/sh', '-c', [input.command, ...args].join(' ')]
      : [input.command, ...args];
    checkCommand(argv, config);
    const running = this.count();
    if (running >= config.maxConcurrent) {
      throw new QuotaExceeded(
        `${running} commands are already running (execution.maxConcurrent); wait for one to finish or cancel one with \`loopsy exec --cancel <job>\`/exec.cancel.`,
      );
    }
    const cwd = input.cwd ?? os.homedir();
    checkFolder(cwd);

    const [file = '', ...fileArgs] = argv;
    let child: ChildProcess;
    try {
      child = spawn(file, fileArgs, {
        cwd,
        env: { ...this.opts.env(), ...input.env },
        stdio: [input.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        // Its own process group, so cancelling reaches the children a script starts.
        detached: true,
        windowsHide: true,
      });
    } catch (err) {
      throw spawnError(err, input.command, cwd);
    }
    let finish!: () => void;
    const job: Job = {
      id: randomBytes(6).toString('hex'),
      mode,
      command: input.command,
      args,
      cwd,
      shell,
      child,
      startedAt: this.now(),
      startedPerf: performance.now(),
      finishedAt: null,
      exitCode: null,
      signal: null,
      timedOut: false,
      cancelled: false,
      durationMs: 0,
      timers: new Set(),
      output: {
        stdout: emptyCapture(config.maxOutputBytes),
        stderr: emptyCapture(config.maxOutputBytes),
      },
      log: mode === 'stream' ? new JobLog(this.eventLogBytes) : undefined,
      done: new Promise<void>((resolve) => (finish = resolve)),
    };
    // Registered before the spawn settles, so concurrent launches see it in the count.
    this.jobs.set(job.id, job);

    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (err) {
      this.jobs.delete(job.id);
      throw spawnError(err, input.command, cwd);
    }
    // Later errors (a failed kill) must not crash the daemon; the exit handler ends the job.
    child.on('error', () => undefined);

    this.wireOutput(job, 'stdout');
    this.wireOutput(job, 'stderr');
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the program may exit without reading its input
      child.stdin.end(input.stdin);
    }
    const timeoutMs = input.timeoutMs ?? config.defaultTimeoutMs;
    this.addTimer(job, timeoutMs, () => {
      job.timedOut = true;
      this.terminate(job);
    });

    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.finalize(job);
      finish();
    };
    child.once('exit', (code, sig) => {
      job.exitCode = code;
      job.signal = sig;
      // Background children may keep the pipes open; the job ends with its program, their output is cut.
      this.addTimer(job, STDIO_GRACE_MS, () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        end();
      });
    });
    child.once('close', end);
    return job;
  }

  private wireOutput(job: Job, stream: 'stdout' | 'stderr'): void {
    const pipe = job.child[stream];
    if (!pipe) return;
    const capture = job.output[stream];
    const decoder = new StringDecoder('utf8');
    pipe.on('data', (chunk: Buffer) => {
      capture.total += chunk.length;
      if (job.log) {
        const data = decoder.write(chunk);
        if (data) job.log.push({ type: stream, data }, chunk.length);
      } else if (capture.kept < capture.max) {
        const part = chunk.subarray(0, capture.max - capture.kept);
        capture.chunks.push(part);
        capture.kept += part.length;
      }
    });
    pipe.on('end', () => {
      const rest = decoder.end();
      if (job.log && rest) job.log.push({ type: stream, data: rest }, 0);
    });
    pipe.on('error', () => undefined);
  }

  private finalize(job: Job): void {
    for (const timer of job.timers) clearTimeout(timer);
    job.timers.clear();
    job.finishedAt = this.now();
    job.durationMs = Math.round(performance.now() - job.startedPerf);
    const event: JobEvent = {
      type: 'exit',
      exitCode: job.exitCode,
      signal: job.signal,
      timedOut: job.timedOut,
      cancelled: job.cancelled,
      durationMs: job.durationMs,
      stdoutBytes: job.output.stdout.total,
      stderrBytes: job.output.stderr.total,
    };
    job.log?.push(event);
  }

  private terminate(job: Job): void {
    if (job.finishedAt !== null) return;
    signalGroup(job.child, 'SIGTERM');
    this.addTimer(job, this.killGraceMs, () => signalGroup(job.child, 'SIGKILL'));
  }

  private addTimer(job: Job, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      job.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    job.timers.add(timer);
  }
}

function emptyCapture(max: number): Capture {
  return { max, chunks: [], kept: 0, total: 0 };
}

/** The kept head as text; a character cut by the cap is dropped rather than shown as U+FFFD. */
function captured(capture: Capture): string {
  const head = Buffer.concat(capture.chunks);
  if (capture.total === capture.kept) return head.toString('utf8');
  // Step back over continuation bytes (10xxxxxx) to the last character's lead byte.
  let start = head.length - 1;
  while (start > 0 && head.length - start < 4 && ((head[start] ?? 0) & 0xc0) === 0x80) start--;
  const lead = head[start] ?? 0;
  const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return head.subarray(0, start + width > head.length ? start : head.length).toString('utf8');
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

function checkFolder(cwd: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(cwd);
  } catch {
    throw new NotFound(`Working folder ${cwd} does not exist.`);
  }
  if (!stat.isDirectory()) throw new BadInput(`Working folder ${cwd} is not a folder.`);
}

function spawnError(err: unknown, command: string, cwd: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = command.includes('/') ? `at "${command}"` : `"${command}" on PATH`;
  switch (code ?? '') {
    case 'ENOENT':
      // The folder was checked just before; it can only have vanished in between.
      return fs.existsSync(cwd)
        ? new NotFound(`No program ${where}.`)
        : new NotFound(`Working folder ${cwd} does not exist.`);
    case 'EACCES':
      return new BadInput(`Program ${where} is not executable (permission denied).`);
    case 'ENOEXEC':
      return new BadInput(`Program ${where} is not an executable this machine can run.`);
    case 'E2BIG':
      return new BadInput('The arguments and environment are too large for one command.');
    case 'ENOTDIR':
      return new BadInput(`Working folder ${cwd} is not a folder.`);
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}
