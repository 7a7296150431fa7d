// Owns a bounded, resumable log of events with increasing ids: readers replay after an id, then wait for more.
export interface LoggedEvent<T> {
  id: number;
  event: T;
}

export class EventLog<T> {
  private readonly events: LoggedEvent<T>[] = [];
  private nextId = 1;
  private waiters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  push(event: T): void {
    this.events.push({ id: this.nextId++, event });
    if (this.events.length > this.capacity) this.events.shift();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Events after `afterId`; `missed` is true when some were already dropped. */
  since(afterId: number): { events: LoggedEvent<T>[]; missed: boolean } {
    const first = this.events[0];
    const missed = first !== undefined && afterId < first.id - 1;
    return { events: this.events.filter((e) => e.id > afterId), missed };
  }

  get lastId(): number {
    return this.nextId - 1;
  }

  /** Resolves at the next push, or when `signal` aborts. */
  next(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Replays after `afterId` and follows live events until `signal` aborts. */
  async *follow(afterId: number, signal?: AbortSignal): AsyncGenerator<LoggedEvent<T>> {
    let cursor = afterId;
    while (!signal?.aborted) {
      const { events } = this.since(cursor);
      for (const e of events) {
        cursor = e.id;
        yield e;
      }
      if (events.length === 0) await this.next(signal);
    }
  }
}
