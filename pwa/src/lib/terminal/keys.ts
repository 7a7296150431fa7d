// Owns what the extra-keys bar sends: the bytes a real keyboard's Esc, Tab, arrows and Ctrl chords produce.

export type ExtraKey = 'esc' | 'tab' | 'up' | 'down' | 'left' | 'right';

export interface KeyContext {
  /** Ctrl is latched: the next key is sent as a Ctrl chord. */
  ctrl?: boolean;
  /** The terminal is in application cursor mode (DECCKM), as full-screen programs set it. */
  applicationCursor?: boolean;
}

const ARROW_FINAL: Record<'up' | 'down' | 'left' | 'right', string> = {
  up: 'A',
  down: 'B',
  right: 'C',
  left: 'D',
};

/** The bytes one key of the bar sends. */
export function extraKeyBytes(key: ExtraKey, ctx: KeyContext = {}): string {
  switch (key) {
    case 'esc':
      return '\x1b';
    case 'tab':
      // Ctrl+Tab has no byte of its own in a terminal; a plain Tab is what a shell can use.
      return '\t';
    case 'up':
    case 'down':
    case 'left':
    case 'right': {
      const final = ARROW_FINAL[key];
      if (ctx.ctrl) return `\x1b[1;5${final}`;
      return ctx.applicationCursor ? `\x1bO${final}` : `\x1b[${final}`;
    }
  }
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
 * What typed input becomes while Ctrl is latched: a single character that has a control byte becomes that
 * byte; anything else (a paste, an IME word) is sent as typed.
 */
export function applyCtrl(data: string): string {
  return ctrlByte(data) ?? data;
}
