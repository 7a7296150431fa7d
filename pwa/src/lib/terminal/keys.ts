// Owns what the extra-keys bar sends: the bytes a real keyboard's keys and Ctrl/Alt chords produce (xterm).

export type NavKey = 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'pgup' | 'pgdn';

export type ExtraKey = 'esc' | 'tab' | 'shift-tab' | NavKey;

export interface KeyContext {
  /** Ctrl is latched: the next key is sent as a Ctrl chord. */
  ctrl?: boolean;
  /** Alt is latched: the next key is sent with an ESC prefix (Meta), as xterm does by default. */
  alt?: boolean;
  /** The terminal is in application cursor mode (DECCKM), as full-screen programs set it. */
  applicationCursor?: boolean;
}

/** The final byte of each cursor/navigation key's CSI (or SS3) sequence. */
const CURSOR_FINAL: Partial<Record<NavKey, string>> = {
  up: 'A',
  down: 'B',
  right: 'C',
  left: 'D',
  home: 'H',
  end: 'F',
};

/** The number of each `CSI n ~` key. */
const TILDE_NUMBER: Partial<Record<NavKey, number>> = { pgup: 5, pgdn: 6 };

/** xterm's modifier parameter: 1 + Shift(1) + Alt(2) + Ctrl(4). */
function modifierParam(ctx: KeyContext): number {
  return 1 + (ctx.alt ? 2 : 0) + (ctx.ctrl ? 4 : 0);
}

/** The bytes one key of the bar sends. */
export function extraKeyBytes(key: ExtraKey, ctx: KeyContext = {}): string {
  switch (key) {
    case 'esc':
      return ctx.alt ? '\x1b\x1b' : '\x1b';
    case 'tab':
      // Ctrl+Tab has no byte of its own in a terminal; a plain Tab is what a shell can use.
      return ctx.alt ? '\x1b\t' : '\t';
    case 'shift-tab':
      // Back-tab (CBT): Claude Code uses it to cycle modes, shells and TUIs to go backwards.
      return '\x1b[Z';
    case 'up':
    case 'down':
    case 'left':
    case 'right':
    case 'home':
    case 'end':
    case 'pgup':
    case 'pgdn':
      return navKeyBytes(key, ctx);
  }
}

function navKeyBytes(key: NavKey, ctx: KeyContext): string {
  const mod = modifierParam(ctx);
  const final = CURSOR_FINAL[key];
  if (final !== undefined) {
    if (mod > 1) return `\x1b[1;${mod}${final}`;
    return ctx.applicationCursor ? `\x1bO${final}` : `\x1b[${final}`;
  }
  const n = TILDE_NUMBER[key] ?? 0;
  return mod > 1 ? `\x1b[${n};${mod}~` : `\x1b[${n}~`;
}

/** The control byte for Ctrl + one character, or undefined when the character has none. */
export function ctrlByte(char: string): string | undefined {
  if (char.length !== 1) return undefined;
  const code = char.charCodeAt(0);
  if (code >= 0x61 && code <= 0x7a) return String.fromCharCode(code - 0x60); // a-z
  if (code >= 0x40 && code <= 0x5f) return String.fromCharCode(code - 0x40); // @ A-Z [ \ ] ^ _
  if (char === ' ' || char === '2') return '\x00';
  if (char === '?' || char === '8') return '\x7f';
  if (char >= '3' && char <= '7') return String.fromCharCode(0x1b + code - 0x33); // ^3 = ESC … ^7 = ^_
  if (char === '/') return '\x1f';
  return undefined;
}

/**
 * What typed input (or a character key of the bar) becomes while Ctrl and/or Alt are latched: a single
 * character that has a control byte becomes that byte, Alt prefixes ESC; anything longer (a paste, an IME
 * word) is sent as typed.
 */
export function applyModifiers(data: string, ctx: Pick<KeyContext, 'ctrl' | 'alt'>): string {
  if ([...data].length !== 1) return data;
  const base = ctx.ctrl ? (ctrlByte(data) ?? data) : data;
  return ctx.alt ? `\x1b${base}` : base;
}

/** Ctrl alone (kept for callers that only latch Ctrl). */
export function applyCtrl(data: string): string {
  return applyModifiers(data, { ctrl: true });
}

/** Text typed or dictated into the compose box, as the terminal should receive it (Enter is CR). */
export function composeBytes(text: string, withEnter: boolean): string {
  const body = text.replace(/\r?\n/g, '\r');
  return withEnter ? `${body}\r` : body;
}
