// Owns the set of terminal sessions: creating, finding, changing, reaping them, and their lifecycle events.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';
import { BadInput, Conflict, NotFound, QuotaExceeded } from '../../errors.js';
import { checkCommand } from '../command-policy.js';
import { EventLog } from '../event-log.js';
import {
  autoApproveFlag,
  resolveAgentCommand,
  type AgentKind,
  type ResolvedCommand,
} from './agent-presets.js';
import { TerminalSession, type SessionInfo } from './terminal-session.js';

export type TerminalEvent =
  | { type: 'created'; session: SessionInfo }
  | { type: 'exited'; id: string; exitCode: number; signal: number | null }
  | { type: 'renamed'; id: string; name: string }
  | { type: 'removed'; id: string; reason: 'removed' | 'exited-grace' | 'idle' }
  | { type: 'viewers'; id: string; viewers: number }
  | {
      type: 'auto-approve';
      requestId: string;
      state: AutoApproveState;
      sessionId?: string;
    };

export type AutoApproveState = 'pending' | 'approved' | 'denied' | 'expired';

export interface CreateSessionInput {
  agent: AgentKind;
  command?: string | undefined;
  args?: string[] | undefined;
  cwd?: string | undefined;
  cols: number;
  rows: number;
  name?: string | undefined;
  env?: Record<string, string> | undefined;
  /** Run an AI agent with its skip-permission flag (the router admits this only from the laptop). */
  autoApprove?: boolean | undefined;
}

/** What a session would run, once every check passed. */
export interface PreparedSession extends ResolvedCommand {
  cwd: string;
  env: Record<string, string>;
}

export interface TerminalManagerOptions {
  config: () => Config['terminal'];
  execution: () => Config['execution'];
  env: () => Record<string, string>;
  home: string;
  now?: () => number;
  /** How often reaping runs; 0 disables the timer (tests call sweep()). */
  sweepIntervalMs?: number;
}

export class TerminalManager {
  readonly events = new EventLog<TerminalEvent>(1000);
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TerminalManagerOptions) {
    this.now = opts.now ?? Date.now;
    const every = opts.sweepIntervalMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref();
    }
  }

  /**
   * Checks everything a session needs (quota, name, folder, program, policy) without starting it, and says
   * what would run. `create` spawns exactly this; an auto-approve request is checked with it up front.
   */
  prepare(input: CreateSessionInput): PreparedSession {
    const config = this.opts.config();
    if (input.autoApprove) autoApproveFlag(input.agent);
    if (this.liveCount() >= config.maxSessions) {
      throw new QuotaExceeded(
        `${config.maxSessions} sessions are already running (terminal.maxSessions); kill one with \`loopsy sessions kill\`.`,
      );
    }
    if (input.name !== undefined) this.assertNameFree(input.name);
    const env: Record<string, string> = {
      ...this.opts.env(),
      ...input.env,
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
    };
    env['LANG'] ??= 'C.UTF-8';
    const cwd = input.cwd ?? env['HOME'] ?? this.opts.home;
    if (!path.isAbsolute(cwd) || !isDirectory(cwd)) {
      throw new BadInput(
        `Working folder ${cwd} does not exist (or is not a folder); give an absolute path to a folder.`,
      );
    }
    const resolved = resolveAgentCommand(input.agent, {
      command: input.command,
      args: input.args,
      env,
      autoApprove: input.autoApprove,
    });
    if (input.agent === 'custom')
      checkCommand([resolved.file, ...resolved.args], this.opts.execution());
    return { ...resolved, cwd, env };
  }

  create(input: CreateSessionInput): SessionInfo {
    const config = this.opts.config();
    const { file, args, cwd, env } = this.prepare(input);
    const id = randomUUID();
    const session = new TerminalSession({
      id,
      name: input.name ?? this.defaultName(input.agent),
      agent: input.agent,
      autoApprove: input.autoApprove === true,
      file,
      args,
      cwd,
      env,
      cols: input.cols,
      rows: input.rows,
      bufferBytes: config.bufferBytes,
      scrollback: config.scrollbackLines,
      now: this.now,
      onExit: (s) => {
        const exit = s.exitInfo;
        this.events.push({
          type: 'exited',
          id: s.id,
          exitCode: exit?.code ?? -1,
          signal: exit?.signal ?? null,
        });
      },
    });
    this.sessions.set(id, session);
    const info = session.info();
    this.events.push({ type: 'created', session: info });
    return info;
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()]
      .map((s) => s.info())
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Finds a session by id, by name, or by a unique id prefix of at least 4 characters. */
  get(ref: string): TerminalSession {
    const direct = this.sessions.get(ref);
    if (direct) return direct;
    const all = [...this.sessions.values()];
    const byName = all.filter((s) => s.name === ref);
    if (byName.length === 1) return byName[0] as TerminalSession;
    if (ref.length >= 4) {
      const byPrefix = all.filter((s) => s.id.startsWith(ref));
      if (byPrefix.length === 1) return byPrefix[0] as TerminalSession;
      if (byPrefix.length > 1)
        throw new BadInput(`"${ref}" matches ${byPrefix.length} sessions; give more of the id.`);
    }
    throw new NotFound(`No terminal session "${ref}". List them with \`loopsy sessions\`.`);
  }

  write(ref: string, data: Buffer | string, viewerId?: string): void {
    const session = this.get(ref);
    this.assertRunning(session);
    session.write(data, viewerId);
  }

  resize(ref: string, cols: number, rows: number, viewerId?: string): SessionInfo {
    const session = this.get(ref);
    session.resize(cols, rows, viewerId);
    return session.info();
  }

  signal(ref: string, signal: NodeJS.Signals): void {
    const session = this.get(ref);
    this.assertRunning(session);
    session.signal(signal);
  }

  kill(ref: string): SessionInfo {
    const session = this.get(ref);
    session.kill();
    return session.info();
  }

  remove(ref: string): void {
    const session = this.get(ref);
    this.drop(session, 'removed');
  }

  rename(ref: string, name: string): SessionInfo {
    const session = this.get(ref);
    if (session.name !== name) this.assertNameFree(name);
    session.name = name;
    this.events.push({ type: 'renamed', id: session.id, name });
    return session.info();
  }

  attachViewer(session: TerminalSession, viewerId: string): void {
    session.addViewer(viewerId);
    this.events.push({ type: 'viewers', id: session.id, viewers: session.viewerCount });
  }

  detachViewer(session: TerminalSession, viewerId: string): void {
    session.removeViewer(viewerId);
    if (this.sessions.has(session.id)) {
      this.events.push({ type: 'viewers', id: session.id, viewers: session.viewerCount });
    }
  }

  /** Removes exited sessions past their grace period and idle sessions nobody has watched for too long. */
  sweep(): void {
    const config = this.opts.config();
    const t = this.now();
    for (const session of [...this.sessions.values()]) {
      const info = session.info();
      if (info.exitedAt !== null) {
        if (t - info.exitedAt >= config.exitedGraceSeconds * 1000)
          this.drop(session, 'exited-grace');
      } else if (
        session.viewerCount === 0 &&
        t - session.idleSince >= config.idleReapSeconds * 1000
      ) {
        this.drop(session, 'idle');
      }
    }
  }

  count(): { running: number; total: number } {
    return { running: this.liveCount(), total: this.sessions.size };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
  }

  private drop(session: TerminalSession, reason: 'removed' | 'exited-grace' | 'idle'): void {
    session.dispose();
    this.sessions.delete(session.id);
    this.events.push({ type: 'removed', id: session.id, reason });
  }

  private liveCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (!s.exited) n++;
    return n;
  }

  private assertRunning(session: TerminalSession): void {
    const exit = session.exitInfo;
    if (exit) {
      throw new Conflict(
        `Session "${session.name}" has exited (code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ''}); start a new one.`,
      );
    }
  }

  private assertNameFree(name: string): void {
    for (const s of this.sessions.values()) {
      if (s.name === name && !s.exited)
        throw new Conflict(`A session named "${name}" already exists; pick another name.`);
    }
  }

  private defaultName(agent: AgentKind): string {
    const taken = new Set([...this.sessions.values()].map((s) => s.name));
    for (let i = 1; ; i++) {
      const name = `${agent}-${i}`;
      if (!taken.has(name)) return name;
    }
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
