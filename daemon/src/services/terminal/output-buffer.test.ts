import { describe, expect, it } from 'vitest';
import { OutputBuffer } from './output-buffer.js';

describe('output buffer', () => {
  it('reads back by absolute offset across chunks', () => {
    const b = new OutputBuffer(1024);
    b.append(Buffer.from('hello '));
    b.append(Buffer.from('world'));
    expect(b.end).toBe(11);
    const r = b.read(3, 100);
    expect(r.kind === 'data' && r.data.toString()).toBe('lo world');
    const capped = b.read(0, 4);
    expect(capped.kind === 'data' && capped.data.toString()).toBe('hell');
    expect(b.read(11, 10).kind).toBe('none');
  });

  it('drops the oldest bytes past capacity and reports a gap to a reader behind them', () => {
    const b = new OutputBuffer(10);
    b.append(Buffer.from('0123456789'));
    b.append(Buffer.from('abcd'));
    expect(b.start).toBe(4);
    expect(b.end).toBe(14);
    expect(b.read(2, 100)).toEqual({ kind: 'gap', available: 4 });
    const r = b.read(4, 100);
    expect(r.kind === 'data' && r.data.toString()).toBe('456789abcd');
  });

  it('holds no more than its capacity however much is written', () => {
    const b = new OutputBuffer(4096);
    for (let i = 0; i < 10_000; i++) b.append(Buffer.alloc(100, i % 256));
    expect(b.end - b.start).toBeLessThanOrEqual(4096);
    expect(b.end).toBe(1_000_000);
  });
});
