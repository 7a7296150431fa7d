// Owns a bounded, resumable log of events with increasing ids: readers replay after an id, then wait for more.
export interface LoggedEvent<T> {
  id: number;
  event: T;
}

export interface EventLogOptions<T> {
  /** The id of the last event before this log began (ids continue after it, e.g. from a persisted counter). */
  startAfter?: number;
  /** Also bounds the log by the summed `sizeOf` of its events (the newest event is always kept). */
  maxBytes?: number;
  sizeOf?: (event: T) => number;
}

export class EventLog<T> {
  private readonly events: LoggedEvent<T>[] = [];
  private readonly sizes: number[] = [];
  private bytes = 0;
  private nextId: number;
  /** Every event with an id above this one is still in the log. */
  private floor: number;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly capacity: number,
    private readonly opts: EventLogOptions<T> = {},
  ) {
    this.floor = opts.startAfter ?? 0;
    this.nextId = this.floor + 1;
  }

  push(event: T): void {
    const size = this.opts.sizeOf?.(event) ?? 0;
    this.events.push({ id: this.nextId++, event });
    this.sizes.push(size);
    this.bytes += size;
    const maxBytes = this.opts.maxBytes ?? Infinity;
    while (
      this.events.length > this.capacity ||
      (this.bytes > maxBytes && this.events.length > 1)
    ) {
      const dropped = this.events.shift();
      this.bytes -= this.sizes.shift() ?? 0;
      if (dropped) this.floor = dropped.id;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Events after `afterId`; `missed` is true when some were already dropped. */
  since(afterId: number): { events: LoggedEvent<T>[]; missed: boolean } {
    // Ids are consecutive, so the first event after `afterId` is found by arithmetic, not by a scan.
    const first = this.events[0];
    const start = first === undefined ? 0 : Math.max(0, afterId - first.id + 1);
    return { events: this.events.slice(start), missed: afterId < this.floor };
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
