import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';

describe('EventLog', () => {
  it('keeps the newest events by count and says when a reader missed some', () => {
    const log = new EventLog<string>(3);
    for (const e of ['a', 'b', 'c', 'd']) log.push(e);
    expect(log.lastId).toBe(4);
    expect(log.since(1)).toEqual({
      events: [
        { id: 2, event: 'b' },
        { id: 3, event: 'c' },
        { id: 4, event: 'd' },
      ],
      missed: false,
    });
    expect(log.since(0).missed).toBe(true);
    expect(log.since(3).events.map((e) => e.event)).toEqual(['d']);
    expect(log.since(4)).toEqual({ events: [], missed: false });
  });

  it('continues ids after startAfter, and a reader from before it has missed events', () => {
    const log = new EventLog<string>(10, { startAfter: 41 });
    expect(log.lastId).toBe(41);
    expect(log.since(41)).toEqual({ events: [], missed: false });
    expect(log.since(40).missed).toBe(true);
    log.push('x');
    expect(log.since(41).events).toEqual([{ id: 42, event: 'x' }]);
  });

  it('bounds the log by size too, always keeping the newest event', () => {
    const log = new EventLog<string>(100, { maxBytes: 10, sizeOf: (e) => e.length });
    log.push('aaaa');
    log.push('bbbb');
    expect(log.since(0).events.map((e) => e.event)).toEqual(['aaaa', 'bbbb']);
    log.push('cccc');
    expect(log.since(0)).toEqual({
      events: [
        { id: 2, event: 'bbbb' },
        { id: 3, event: 'cccc' },
      ],
      missed: true,
    });
    log.push('x'.repeat(50));
    expect(log.since(0).events.map((e) => e.id)).toEqual([4]);
  });
});
