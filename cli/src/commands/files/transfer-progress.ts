// Owns the progress line of `loopsy send` / `loopsy pull` on a terminal: phase, bar, bytes, rate and ETA, redrawn
// in place at most ten times a second. Nothing is drawn when the stream is not a TTY.
import type { Writable } from 'node:stream';
import type { TransferProgress } from '@loopsy/client-sdk/node';
import { formatBytes } from './format.js';

const REDRAW_MS = 100;

export class TransferProgressLine {
  private readonly tty: boolean;
  private phase = '';
  private phaseStarted = 0;
  private lastDraw = -Infinity;

  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tty = out.isTTY === true;
  }

  update(p: TransferProgress): void {
    if (!this.tty) return;
    const t = this.now();
    if (p.phase !== this.phase) {
      this.phase = p.phase;
      this.phaseStarted = t;
      this.lastDraw = -Infinity;
    }
    if (t - this.lastDraw < REDRAW_MS && p.bytes < p.total) return;
    this.lastDraw = t;
    this.out.write(`\r\x1b[2K${this.render(p, t)}`);
  }

  /** Clears the line (before the final result is printed). */
  done(): void {
    if (this.tty && this.phase !== '') this.out.write('\r\x1b[2K');
  }

  render(p: TransferProgress, t: number): string {
    const fraction = p.total > 0 ? Math.min(1, p.bytes / p.total) : 1;
    const seconds = (t - this.phaseStarted) / 1000;
    const rate = seconds > 0 ? p.bytes / seconds : 0;
    const eta = rate > 0 ? (p.total - p.bytes) / rate : undefined;
    const width = Math.max(10, Math.min(30, (this.out.columns ?? 80) - 60));
    const filled = Math.round(fraction * width);
    const bar = `${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}`;
    return [
      p.phase.padEnd(9),
      `[${bar}]`,
      `${String(Math.floor(fraction * 100)).padStart(3)}%`,
      `${formatBytes(p.bytes)}/${formatBytes(p.total)}`,
      `${formatBytes(rate)}/s`,
      `ETA ${eta === undefined ? '--:--' : clock(eta)}`,
    ].join('  ');
  }
}

function clock(seconds: number): string {
  const s = Math.ceil(seconds);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const mm = String(m % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
