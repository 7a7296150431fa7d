// Owns the replayable event log of one streamed job: sequence ids, a byte bound, and followers that resume.

export type JobEvent =
  | { type: 'stdout' | 'stderr'; data: string }
  | {
      type: 'exit';
      exitCode: number | null;
      signal: string | null;
      timedOut: boolean;
      cancelled: boolean;
      durationMs: number;
      stdoutBytes: number;
      stderrBytes: number;
    }
  /** Events after the reader's last id were dropped (the log keeps only the newest bytes). */
  | { type: 'gap'; missedEvents: number };

export interface JobStreamItem {
  id: string;
  event: JobEvent;
}

interface Entry {
  seq: number;
  event: JobEvent;
  bytes: number;
}

/** What one entry costs beyond its data, so many tiny chunks cannot outgrow the bound. */
const ENTRY_OVERHEAD = 64;

export class JobLog {
  /** Entries have consecutive seqs; the live ones start at `head` (dropping is O(1), compaction is amortized). */
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;
  private nextSeq = 1;
  private ended = false;
  private waiters = new Set<() => void>();

  constructor(private readonly maxBytes: number) {}

  /** Appends an event counting `bytes` against the bound; the oldest events go first when it is exceeded. */
  push(event: JobEvent, bytes = 0): void {
    if (this.ended) return;
    const cost = bytes + ENTRY_OVERHEAD;
    this.entries.push({ seq: this.nextSeq++, event, bytes: cost });
    this.bytes += cost;
    while (this.bytes > this.maxBytes && this.entries.length - this.head > 1) {
      this.bytes -= this.entries[this.head++]?.bytes ?? 0;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (event.type === 'exit') this.ended = true;
    this.wake();
  }

  /** Ends the log without an exit event (the manager is closing); followers stop after what is there. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Replays everything after `afterSeq`, then follows until the exit event or `signal` aborts. */
  async *follow(afterSeq: number, signal?: AbortSignal): AsyncGenerator<JobStreamItem> {
    let cursor = Math.min(afterSeq, this.lastSeq);
    while (!signal?.aborted) {
      const first = this.entries[this.head];
      if (first && cursor < first.seq - 1) {
        const missedEvents = first.seq - 1 - cursor;
        cursor = first.seq - 1;
        yield { id: String(cursor), event: { type: 'gap', missedEvents } };
        continue;
      }
      const pending = first ? this.entries.slice(this.head + cursor + 1 - first.seq) : [];
      for (const entry of pending) {
        if (signal?.aborted) return;
        cursor = entry.seq;
        yield { id: String(entry.seq), event: entry.event };
        if (entry.event.type === 'exit') return;
      }
      if (pending.length > 0) continue;
      if (this.ended) return;
      await this.next(signal);
    }
  }

  private next(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
