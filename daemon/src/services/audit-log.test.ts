import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, readAuditTail, rotatedName, type AuditEntry } from './audit-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function entry(i: number): AuditEntry {
  return {
    ts: new Date(i).toISOString(),
    procedure: `p${i}`,
    type: 'query',
    caller: 'owner:owner',
    transport: 'http',
    durationMs: 1,
    outcome: 'ok',
  };
}

describe('audit log', () => {
  it('appends one private JSON line per entry and reads the tail back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-audit-'));
    dirs.push(dir);
    const file = path.join(dir, 'logs', 'audit.jsonl');
    const log = new AuditLog({ file, maxBytes: 1024 * 1024, maxFiles: 3 });
    for (let i = 0; i < 5; i++) log.record(entry(i));
    log.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readAuditTail(file, 2).map((e) => e.procedure)).toEqual(['p3', 'p4']);
  });

  it('rotates by size and keeps at most maxFiles old files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-audit-'));
    dirs.push(dir);
    const file = path.join(dir, 'audit.jsonl');
    const lineBytes = JSON.stringify(entry(0)).length + 1;
    const log = new AuditLog({ file, maxBytes: lineBytes * 10, maxFiles: 2 });
    for (let i = 0; i < 45; i++) log.record(entry(i));
    log.close();
    expect(fs.existsSync(rotatedName(file, 1))).toBe(true);
    expect(fs.existsSync(rotatedName(file, 2))).toBe(true);
    expect(fs.existsSync(rotatedName(file, 3))).toBe(false);
    const current = readAuditTail(file, 100);
    expect(current.at(-1)?.procedure).toBe('p44');
    expect(current.length).toBeLessThanOrEqual(10);
    const older = readAuditTail(rotatedName(file, 1), 100);
    expect(older.at(-1)?.procedure).toBe(`p${44 - current.length}`);
  });

  it('skips a torn last line left by a crash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-audit-'));
    dirs.push(dir);
    const file = path.join(dir, 'audit.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(entry(1))}\n{"ts":"2026-`);
    expect(readAuditTail(file, 10)).toHaveLength(1);
  });

  it('reads the tail of a large file backwards, across chunk and multi-byte boundaries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-audit-'));
    dirs.push(dir);
    const file = path.join(dir, 'audit.jsonl');
    const log = new AuditLog({ file, maxBytes: 64 * 1024 * 1024, maxFiles: 1 });
    const all: AuditEntry[] = [];
    for (let i = 0; i < 3000; i++) {
      const e = { ...entry(i), message: `é✓🙂 ${'x'.repeat(i % 97)}` };
      all.push(e);
      log.record(e);
    }
    log.close();
    expect(fs.statSync(file).size).toBeGreaterThan(3 * 64 * 1024);
    expect(readAuditTail(file, 2500)).toEqual(all.slice(-2500));
    expect(readAuditTail(file, 5000)).toEqual(all);
    expect(readAuditTail(file, 0)).toEqual([]);
    expect(new AuditLog({ file, maxBytes: 1 << 20, maxFiles: 1 }).newest(2)).toEqual([
      all[2999],
      all[2998],
    ]);
    expect(readAuditTail(path.join(dir, 'missing.jsonl'), 5)).toEqual([]);
  });
});
