// Owns what a requested path may look like before it touches the disk: absolute (or ~), no NUL, bounded, well-formed.
import path from 'node:path';
import { BadInput } from '../../errors.js';

/** Linux's PATH_MAX and NAME_MAX, in bytes of UTF-8; macOS allows less, so nothing valid is refused here. */
export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;

/** In a `u` regex a proper surrogate pair is one code point, so only a lone half matches `Cs`. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A path as it may appear in a message: quoted, control characters escaped, cut to a readable length. */
export function showPath(text: string): string {
  const cut = text.length > 200 ? `${text.slice(0, 100)}…${text.slice(-60)}` : text;
  return JSON.stringify(cut);
}

/**
 * Checks a requested path and returns it absolute, with a leading `~` expanded to `userHome`.
 * Throws BadInput with a message that says what is wrong and what to send instead.
 */
export function checkPathText(text: string, userHome: string): string {
  if (text.length === 0) throw new BadInput('The path is empty: give an absolute path.');
  if (text.includes('\0')) {
    throw new BadInput(
      `The path ${showPath(text)} contains a NUL character, which no file name can.`,
    );
  }
  if (LONE_SURROGATE.test(text)) {
    throw new BadInput(
      `The path ${showPath(text)} is not valid Unicode (it contains a lone surrogate); send it as proper UTF-16/UTF-8.`,
    );
  }
  let absolute = text;
  if (text === '~' || text.startsWith('~/')) absolute = userHome + text.slice(1);
  else if (text.startsWith('~')) {
    throw new BadInput(
      `The path ${showPath(text)} names another user's home (~name); write it out in full.`,
    );
  }
  if (!path.isAbsolute(absolute)) {
    throw new BadInput(
      `The path ${showPath(text)} is relative: give an absolute path, or one that starts with ~/ (the daemon user's home).`,
    );
  }
  if (Buffer.byteLength(absolute) > MAX_PATH_BYTES) {
    throw new BadInput(
      `The path ${showPath(text)} is longer than ${MAX_PATH_BYTES} bytes; no file system here accepts it.`,
    );
  }
  const long = absolute.split('/').find((name) => Buffer.byteLength(name) > MAX_NAME_BYTES);
  if (long !== undefined) {
    throw new BadInput(
      `The path ${showPath(text)} has a name longer than ${MAX_NAME_BYTES} bytes (${showPath(long)}); shorten it.`,
    );
  }
  return absolute;
}
