// Owns one PTY session: the process, its output buffer and screen mirror, its viewers, and its exit.
import * as pty from 'node-pty';
import type { AgentKind } from './agent-presets.js';
import { OutputBuffer } from './output-buffer.js';
import { ScreenMirror, type ScreenSnapshot } from './screen-mirror.js';

export interface SessionInfo {
  id: string;
  name: string;
  agent: AgentKind;
  /** Started with the agent's skip-permission flag, as confirmed on the laptop. */
  autoApprove: boolean;
  command: string;
  args: string[];
  cwd: string;
  cols: number;
  rows: number;
  pid: number;
  state: 'running' | 'exited';
  exitCode: number | null;
  signal: number | null;
  createdAt: number;
  lastActivityAt: number;
  exitedAt: number | null;
  viewers: number;
  outputBytes: number;
}

export interface SessionSpawn {
  id: string;
  name: string;
  agent: AgentKind;
  autoApprove: boolean;
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  bufferBytes: number;
  scrollback: number;
  now: () => number;
  onExit: (session: TerminalSession) => void;
}

export class TerminalSession {
  readonly buffer: OutputBuffer;
  private readonly mirror: ScreenMirror;
  private readonly proc: pty.IPty;
  private readonly viewers = new Map<
    string,
    { cols: number | undefined; rows: number | undefined }
  >();
  private waiters: Array<() => void> = [];
  private exit: { code: number; signal: number | null; at: number } | undefined;
  private cols: number;
  private rows: number;
  private lastActivity: number;
  private lastViewerLeft: number;
  private readonly createdAt: number;
  name: string;

  constructor(private readonly spec: SessionSpawn) {
    this.name = spec.name;
    this.cols = spec.cols;
    this.rows = spec.rows;
    this.createdAt = spec.now();
    this.lastActivity = this.createdAt;
    this.lastViewerLeft = spec.now();
    this.buffer = new OutputBuffer(spec.bufferBytes);
    this.mirror = new ScreenMirror(spec.cols, spec.rows, spec.scrollback);
    this.proc = pty.spawn(spec.file, spec.args, {
      name: 'xterm-256color',
      cols: spec.cols,
      rows: spec.rows,
      cwd: spec.cwd,
      env: spec.env,
      // Raw bytes: offsets count bytes, and UTF-8 split across chunks is decoded by each viewer's terminal.
      encoding: null,
    });
    this.proc.onData((data: string | Buffer) => {
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      this.buffer.append(chunk);
      this.mirror.write(chunk);
      this.lastActivity = spec.now();
      this.wake();
    });
    this.proc.onExit(({ exitCode, signal }) => {
      this.exit = { code: exitCode, signal: signal && signal > 0 ? signal : null, at: spec.now() };
      this.wake();
      spec.onExit(this);
    });
  }

  get id(): string {
    return this.spec.id;
  }

  get exited(): boolean {
    return this.exit !== undefined;
  }

  get exitInfo(): { code: number; signal: number | null } | undefined {
    return this.exit && { code: this.exit.code, signal: this.exit.signal };
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** When the session last had a viewer or output; idle reaping counts from here. */
  get idleSince(): number {
    return this.viewers.size > 0
      ? this.spec.now()
      : Math.max(this.lastViewerLeft, this.lastActivity);
  }

  write(data: Buffer | string, viewerId?: string): void {
    if (viewerId) this.followViewer(viewerId);
    this.proc.write(data);
  }

  resize(cols: number, rows: number, viewerId?: string): void {
    if (viewerId) this.viewers.set(viewerId, { cols, rows });
    this.applySize(cols, rows);
  }

  signal(name: NodeJS.Signals): void {
    process.kill(this.proc.pid, name);
  }

  kill(): void {
    if (this.exit) return;
    try {
      this.proc.kill('SIGHUP');
    } catch {
      // already gone
    }
  }

  addViewer(id: string): void {
    this.viewers.set(id, this.viewers.get(id) ?? { cols: undefined, rows: undefined });
  }

  removeViewer(id: string): void {
    if (this.viewers.delete(id) && this.viewers.size === 0) this.lastViewerLeft = this.spec.now();
  }

  snapshot(): Promise<ScreenSnapshot> {
    return this.mirror.snapshot();
  }

  screenText(): Promise<string[]> {
    return this.mirror.visibleText();
  }

  /** Resolves when output past `offset` exists, the session exits, or `signal` aborts. */
  waitForOutput(offset: number, signal?: AbortSignal): Promise<void> {
    if (this.buffer.end > offset || this.exit || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  info(): SessionInfo {
    return {
      id: this.spec.id,
      name: this.name,
      agent: this.spec.agent,
      autoApprove: this.spec.autoApprove,
      command: this.spec.file,
      args: this.spec.args,
      cwd: this.spec.cwd,
      cols: this.cols,
      rows: this.rows,
      pid: this.proc.pid,
      state: this.exit ? 'exited' : 'running',
      exitCode: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      createdAt: this.createdAt,
      lastActivityAt: this.lastActivity,
      exitedAt: this.exit?.at ?? null,
      viewers: this.viewers.size,
      outputBytes: this.buffer.end,
    };
  }

  dispose(): void {
    this.kill();
    this.mirror.dispose();
    this.wake();
  }

  private followViewer(viewerId: string): void {
    const size = this.viewers.get(viewerId);
    if (size?.cols !== undefined && size.rows !== undefined) this.applySize(size.cols, size.rows);
  }

  private applySize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    this.mirror.resize(cols, rows);
    if (!this.exit) this.proc.resize(cols, rows);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
