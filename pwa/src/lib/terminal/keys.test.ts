import { describe, expect, it } from 'vitest';
import { applyCtrl, ctrlByte, extraKeyBytes } from './keys.js';

describe('extra keys', () => {
  it('sends Esc and Tab as their bytes', () => {
    expect(extraKeyBytes('esc')).toBe('\x1b');
    expect(extraKeyBytes('tab')).toBe('\t');
  });

  it('sends arrows as CSI sequences, SS3 in application cursor mode', () => {
    expect(extraKeyBytes('up')).toBe('\x1b[A');
    expect(extraKeyBytes('down')).toBe('\x1b[B');
    expect(extraKeyBytes('right')).toBe('\x1b[C');
    expect(extraKeyBytes('left')).toBe('\x1b[D');
    expect(extraKeyBytes('up', { applicationCursor: true })).toBe('\x1bOA');
    expect(extraKeyBytes('left', { applicationCursor: true })).toBe('\x1bOD');
  });

  it('sends Ctrl+arrow with the xterm modifier parameter', () => {
    expect(extraKeyBytes('left', { ctrl: true })).toBe('\x1b[1;5D');
    expect(extraKeyBytes('right', { ctrl: true, applicationCursor: true })).toBe('\x1b[1;5C');
  });
});

describe('ctrl chords', () => {
  it('maps letters either case to 0x01-0x1a', () => {
    expect(ctrlByte('c')).toBe('\x03');
    expect(ctrlByte('C')).toBe('\x03');
    expect(ctrlByte('a')).toBe('\x01');
    expect(ctrlByte('z')).toBe('\x1a');
    expect(ctrlByte('d')).toBe('\x04');
  });

  it('maps the punctuation a VT keyboard does', () => {
    expect(ctrlByte('@')).toBe('\x00');
    expect(ctrlByte(' ')).toBe('\x00');
    expect(ctrlByte('[')).toBe('\x1b');
    expect(ctrlByte('\\')).toBe('\x1c');
    expect(ctrlByte(']')).toBe('\x1d');
    expect(ctrlByte('^')).toBe('\x1e');
    expect(ctrlByte('_')).toBe('\x1f');
    expect(ctrlByte('/')).toBe('\x1f');
    expect(ctrlByte('?')).toBe('\x7f');
    expect(ctrlByte('3')).toBe('\x1b');
    expect(ctrlByte('7')).toBe('\x1f');
  });

  it('has no chord for other characters or longer input', () => {
    expect(ctrlByte('1')).toBeUndefined();
    expect(ctrlByte('é')).toBeUndefined();
    expect(ctrlByte('ab')).toBeUndefined();
    expect(ctrlByte('')).toBeUndefined();
  });

  it('applyCtrl turns one mappable character into its byte and passes the rest through', () => {
    expect(applyCtrl('c')).toBe('\x03');
    expect(applyCtrl('hello')).toBe('hello');
    expect(applyCtrl('1')).toBe('1');
  });
});
