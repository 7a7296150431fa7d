// Owns turning touches on the terminal into intents: one finger drags scroll by lines, two fingers pinch the
// font size, a still press held long opens text selection. Pure: the caller feeds points and times.

export interface Point {
  x: number;
  y: number;
}

export type GestureIntent =
  { type: 'scroll'; lines: number } | { type: 'zoom'; fontSize: number } | { type: 'long-press' };

export interface GestureOptions {
  lineHeight: () => number;
  fontSize: () => number;
  minFont?: number;
  maxFont?: number;
  /** Movement (px) under which a held finger still counts as still. */
  slop?: number;
}

export const LONG_PRESS_MS = 550;

export class TouchGestures {
  private mode: 'idle' | 'press' | 'scroll' | 'pinch' = 'idle';
  private start: Point = { x: 0, y: 0 };
  private lastY = 0;
  private carry = 0;
  private pinchStartDistance = 0;
  private pinchStartFont = 0;

  constructor(private readonly opts: GestureOptions) {}

  /** Fingers went down (all current touches). Returns whether a long-press timer should start. */
  down(points: Point[]): boolean {
    const [a, b] = points;
    if (a && b) {
      this.mode = 'pinch';
      this.pinchStartDistance = distance(a, b);
      this.pinchStartFont = this.opts.fontSize();
      return false;
    }
    if (!a) return false;
    this.mode = 'press';
    this.start = a;
    this.lastY = a.y;
    this.carry = 0;
    return true;
  }

  /** Fingers moved; returns what to do now, if anything. */
  move(points: Point[]): GestureIntent | undefined {
    const [a, b] = points;
    if (this.mode === 'pinch' && a && b) {
      if (this.pinchStartDistance <= 0) return undefined;
      const scaled = this.pinchStartFont * (distance(a, b) / this.pinchStartDistance);
      const fontSize = clamp(
        Math.round(scaled),
        this.opts.minFont ?? MIN_FONT,
        this.opts.maxFont ?? MAX_FONT,
      );
      return fontSize !== this.opts.fontSize() ? { type: 'zoom', fontSize } : undefined;
    }
    if (!a || (this.mode !== 'press' && this.mode !== 'scroll')) return undefined;
    if (this.mode === 'press') {
      if (distance(a, this.start) < (this.opts.slop ?? 10)) return undefined;
      this.mode = 'scroll';
    }
    // Finger up = content up = later lines: scroll by whole lines, keeping the remainder for the next move.
    this.carry += this.lastY - a.y;
    this.lastY = a.y;
    const lh = Math.max(1, this.opts.lineHeight());
    const lines = Math.trunc(this.carry / lh);
    if (lines === 0) return undefined;
    this.carry -= lines * lh;
    return { type: 'scroll', lines };
  }

  /** The long-press timer fired: a long press only if the finger stayed still. */
  held(): GestureIntent | undefined {
    if (this.mode !== 'press') return undefined;
    this.mode = 'idle';
    return { type: 'long-press' };
  }

  /** Whether the current touch is a gesture of ours (so the browser's default should be stopped). */
  get active(): boolean {
    return this.mode === 'scroll' || this.mode === 'pinch';
  }

  up(remaining: number): void {
    if (remaining === 0) this.mode = 'idle';
  }
}

export const MIN_FONT = 8;
export const MAX_FONT = 28;

export function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
