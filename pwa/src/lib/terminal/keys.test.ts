import { describe, expect, it } from 'vitest';
import { applyCtrl, applyModifiers, composeBytes, ctrlByte, extraKeyBytes } from './keys.js';

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
    expect(extraKeyBytes('up', { alt: true })).toBe('\x1b[1;3A');
    expect(extraKeyBytes('down', { ctrl: true, alt: true })).toBe('\x1b[1;7B');
  });

  it('sends Shift+Tab as back-tab, and Alt as an ESC prefix on Esc and Tab', () => {
    expect(extraKeyBytes('shift-tab')).toBe('\x1b[Z');
    expect(extraKeyBytes('esc', { alt: true })).toBe('\x1b\x1b');
    expect(extraKeyBytes('tab', { alt: true })).toBe('\x1b\t');
  });

  it('sends Home/End as CSI H/F (SS3 in application mode) and PgUp/PgDn as CSI 5~/6~', () => {
    expect(extraKeyBytes('home')).toBe('\x1b[H');
    expect(extraKeyBytes('end')).toBe('\x1b[F');
    expect(extraKeyBytes('home', { applicationCursor: true })).toBe('\x1bOH');
    expect(extraKeyBytes('end', { ctrl: true })).toBe('\x1b[1;5F');
    expect(extraKeyBytes('pgup')).toBe('\x1b[5~');
    expect(extraKeyBytes('pgdn')).toBe('\x1b[6~');
    expect(extraKeyBytes('pgup', { ctrl: true })).toBe('\x1b[5;5~');
    expect(extraKeyBytes('pgdn', { applicationCursor: true })).toBe('\x1b[6~');
  });
});

describe('latched modifiers on typed characters', () => {
  it('Alt prefixes ESC, Ctrl+Alt sends ESC and the control byte', () => {
    expect(applyModifiers('b', { alt: true })).toBe('\x1bb');
    expect(applyModifiers('c', { ctrl: true, alt: true })).toBe('\x1b\x03');
    expect(applyModifiers('|', {})).toBe('|');
    expect(applyModifiers('~', { alt: true })).toBe('\x1b~');
  });

  it('leaves pastes and words alone', () => {
    expect(applyModifiers('ls -la', { ctrl: true, alt: true })).toBe('ls -la');
  });

  it('counts an astral character as one character', () => {
    expect(applyModifiers('😀', { alt: true })).toBe('\x1b😀');
  });
});

describe('compose box', () => {
  it('turns newlines into carriage returns and adds Enter on request', () => {
    expect(composeBytes('git status', true)).toBe('git status\r');
    expect(composeBytes('git status', false)).toBe('git status');
    expect(composeBytes('a\nb\r\nc', false)).toBe('a\rb\rc');
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
