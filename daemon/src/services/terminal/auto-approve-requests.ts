// Owns auto-approve requests: a phone (or anyone) asks to start an agent with its skip-permission flag, the
// laptop approves or denies. Held in memory: pending for 5 minutes, remembered 10 minutes after the outcome.
import { randomBytes } from 'node:crypto';
import { Conflict, NotFound, QuotaExceeded } from '../../errors.js';
import type { AgentKind } from './agent-presets.js';
import type { AutoApproveState, CreateSessionInput, TerminalManager } from './terminal-manager.js';
import type { SessionInfo } from './terminal-session.js';

export const AUTO_APPROVE_PENDING_MS = 5 * 60_000;
export const AUTO_APPROVE_KEEP_MS = 10 * 60_000;
const MAX_PENDING = 20;
const MAX_KEPT = 200;

export interface AutoApproveRequester {
  id: string;
  kind: string;
  name: string;
}

/** What the laptop is asked about: exactly what would run, where, and for whom. */
export interface AutoApproveRequestInfo {
  id: string;
  agent: AgentKind;
  cwd: string;
  name?: string;
  /** The program and arguments the session would run (the skip-permission flag included). */
  command: string;
  args: string[];
  requestedBy: string;
  createdAt: number;
  expiresAt: number;
}

export interface AutoApproveStatus {
  id: string;
  state: AutoApproveState;
  sessionId?: string;
}

export type AutoApproveDecision =
  { outcome: 'approved'; session: SessionInfo } | { outcome: 'denied' };

interface RequestRecord {
  info: AutoApproveRequestInfo;
  spec: CreateSessionInput;
  requesterId: string;
  state: AutoApproveState;
  sessionId?: string;
  settledAt?: number;
  timer?: NodeJS.Timeout;
}

export interface AutoApproveRequestsOptions {
  terminals: TerminalManager;
  now: () => number;
  /** Where the laptop hears about a request: the daemon's stdout (its log when detached). */
  notify: (line: string) => void;
}

export class AutoApproveRequests {
  private readonly records = new Map<string, RequestRecord>();

  constructor(private readonly opts: AutoApproveRequestsOptions) {}

  /** Checks the spec as the approved session would run, then records a pending request. */
  request(
    spec: Omit<CreateSessionInput, 'autoApprove'>,
    requester: AutoApproveRequester,
  ): { id: string; expiresAt: number } {
    this.sweep();
    if (this.pendingRecords().length >= MAX_PENDING) {
      throw new QuotaExceeded(
        `${MAX_PENDING} auto-approve requests are already waiting for the laptop; wait for them to be decided or to expire.`,
      );
    }
    const prepared = this.opts.terminals.prepare({ ...spec, autoApprove: true });
    const id = this.freshId();
    const createdAt = this.opts.now();
    const expiresAt = createdAt + AUTO_APPROVE_PENDING_MS;
    const info: AutoApproveRequestInfo = {
      id,
      agent: spec.agent,
      cwd: prepared.cwd,
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      command: prepared.file,
      args: prepared.args,
      requestedBy: requester.name,
      createdAt,
      expiresAt,
    };
    const timer = setTimeout(() => this.sweep(), AUTO_APPROVE_PENDING_MS + 100);
    timer.unref();
    this.records.set(id, {
      info,
      // The folder is pinned to the one checked and shown, whatever HOME is when the laptop decides.
      spec: { ...spec, cwd: prepared.cwd },
      requesterId: requester.id,
      state: 'pending',
      timer,
    });
    this.forgetOldest();
    this.opts.terminals.events.push({ type: 'auto-approve', requestId: id, state: 'pending' });
    this.opts.notify(
      `${requesterLabel(requester.kind)} "${printable(requester.name)}" asks to start ${spec.agent} with auto-approve in ${printable(prepared.cwd)}: ` +
        `approve with \`loopsy sessions approve ${id}\` (or deny with \`loopsy sessions deny ${id}\`).`,
    );
    return { id, expiresAt };
  }

  /** Requests still waiting for the laptop, oldest first. */
  pending(): AutoApproveRequestInfo[] {
    this.sweep();
    return this.pendingRecords().map((r) => r.info);
  }

  /** Approve (start the session exactly as requested, with the flag) or deny a pending request. */
  decide(id: string, allow: boolean): AutoApproveDecision {
    this.sweep();
    const record = this.records.get(id);
    if (!record || record.state === 'expired') {
      throw new NotFound(
        `No auto-approve request "${id}" is waiting (unknown or expired). List them with \`loopsy sessions approvals\`; the phone can ask again.`,
      );
    }
    if (record.state !== 'pending') {
      throw new Conflict(`Auto-approve request "${id}" was already ${record.state}.`);
    }
    if (!allow) {
      this.settle(record, 'denied');
      return { outcome: 'denied' };
    }
    // If it cannot start now (quota, name taken, agent gone), the error says why and the request stays pending.
    const session = this.opts.terminals.create({ ...record.spec, autoApprove: true });
    this.settle(record, 'approved', session.id);
    return { outcome: 'approved', session };
  }

  /** The state of one request; `askedBy` undefined means the laptop, which may see every request. */
  status(id: string, askedBy: string | undefined): AutoApproveStatus {
    this.sweep();
    const record = this.records.get(id);
    if (!record || (askedBy !== undefined && askedBy !== record.requesterId)) {
      throw new NotFound(
        `No auto-approve request "${id}" from you is known (requests are forgotten 10 minutes after they end).`,
      );
    }
    return {
      id,
      state: record.state,
      ...(record.sessionId !== undefined ? { sessionId: record.sessionId } : {}),
    };
  }

  /** Expires requests past their time (with an event) and forgets settled ones after a while. */
  sweep(): void {
    const t = this.opts.now();
    for (const record of [...this.records.values()]) {
      if (record.state === 'pending' && record.info.expiresAt <= t) this.settle(record, 'expired');
      else if (record.settledAt !== undefined && t - record.settledAt >= AUTO_APPROVE_KEEP_MS) {
        this.records.delete(record.info.id);
      }
    }
  }

  close(): void {
    for (const record of this.records.values()) clearTimeout(record.timer);
    this.records.clear();
  }

  private settle(record: RequestRecord, state: AutoApproveState, sessionId?: string): void {
    clearTimeout(record.timer);
    delete record.timer;
    record.state = state;
    record.settledAt = this.opts.now();
    if (sessionId !== undefined) record.sessionId = sessionId;
    this.opts.terminals.events.push({
      type: 'auto-approve',
      requestId: record.info.id,
      state,
      ...(sessionId !== undefined ? { sessionId } : {}),
    });
  }

  private pendingRecords(): RequestRecord[] {
    return [...this.records.values()].filter((r) => r.state === 'pending');
  }

  private forgetOldest(): void {
    for (const record of this.records.values()) {
      if (this.records.size <= MAX_KEPT) return;
      if (record.state !== 'pending') this.records.delete(record.info.id);
    }
  }

  private freshId(): string {
    for (;;) {
      const id = randomBytes(4).toString('hex');
      if (!this.records.has(id)) return id;
    }
  }
}

function requesterLabel(kind: string): string {
  switch (kind) {
    case 'phone':
      return 'Phone';
    case 'peer':
      return 'Peer';
    case 'session':
      return 'Dashboard session';
    default:
      return 'Local user';
  }
}

/** Names and folders come from the wire: control characters must not forge log lines. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}
