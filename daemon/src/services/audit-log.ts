// Owns the audit trail: one JSON line per procedure call in logs/audit.jsonl, rotated by size.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ensurePrivateDir } from './private-files.js';

export const AuditEntrySchema = z.object({
  ts: z.string(),
  procedure: z.string(),
  type: z.string(),
  caller: z.string(),
  transport: z.string(),
  remote: z.string().optional(),
  durationMs: z.number(),
  outcome: z.string(),
  message: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface AuditLogOptions {
  file: string;
  maxBytes: number;
  maxFiles: number;
}

export class AuditLog {
  private fd: number | undefined;
  private size = 0;

  constructor(private readonly opts: AuditLogOptions) {}

  record(entry: AuditEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    try {
      if (this.fd === undefined) this.open();
      if (this.size + Buffer.byteLength(line) > this.opts.maxBytes && this.size > 0) this.rotate();
      if (this.fd === undefined) return;
      this.size += fs.writeSync(this.fd, line);
    } catch (err) {
      // The audit trail must never take a request down with it; report once on stderr and go on.
      process.stderr.write(`loopsy: could not write the audit log: ${(err as Error).message}\n`);
    }
  }

  /** The newest `limit` entries of the current file, newest first. */
  newest(limit: number): AuditEntry[] {
    return readAuditTail(this.opts.file, limit).reverse();
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    ensurePrivateDir(path.dirname(this.opts.file));
    this.fd = fs.openSync(this.opts.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    const { file, maxFiles } = this.opts;
    fs.rmSync(rotatedName(file, maxFiles), { force: true });
    for (let i = maxFiles - 1; i >= 1; i--) {
      const from = rotatedName(file, i);
      if (fs.existsSync(from)) fs.renameSync(from, rotatedName(file, i + 1));
    }
    if (maxFiles >= 1) fs.renameSync(file, rotatedName(file, 1));
    else fs.rmSync(file, { force: true });
    this.open();
  }
}

export function rotatedName(file: string, n: number): string {
  return file.replace(/\.jsonl$/, `.${n}.jsonl`);
}

/**
 * The last `limit` entries of the current file (older rotated files are not read), oldest first. It reads
 * backwards from the end in chunks, so asking for the newest lines of a full 10 MiB file stays cheap.
 */
export function readAuditTail(file: string, limit: number): AuditEntry[] {
  if (limit <= 0) return [];
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    let position = fs.fstatSync(fd).size;
    let tail = Buffer.alloc(0);
    for (;;) {
      const size = Math.min(TAIL_CHUNK_BYTES, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      fs.readSync(fd, chunk, 0, size, position);
      tail = Buffer.concat([chunk, tail]);
      // '\n' never occurs inside a multi-byte UTF-8 sequence, so cutting at it never splits a character.
      const firstBreak = tail.indexOf(0x0a);
      if (position > 0 && firstBreak < 0) continue;
      const start = position === 0 ? 0 : firstBreak + 1;
      const entries = parseAuditLines(tail.subarray(start).toString('utf8'));
      if (entries.length >= limit || position === 0) return entries.slice(-limit);
    }
  } finally {
    fs.closeSync(fd);
  }
}

const TAIL_CHUNK_BYTES = 64 * 1024;

export function parseAuditLines(text: string): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = AuditEntrySchema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // A torn last line after a crash is skipped, not fatal.
    }
  }
  return out;
}
