import { describe, expect, it } from 'vitest';
import { CommandLineError, splitCommandLine } from './command-line.js';

describe('command line splitting', () => {
  it('splits on whitespace', () => {
    expect(splitCommandLine('  htop   -d 10 ')).toEqual(['htop', '-d', '10']);
    expect(splitCommandLine('')).toEqual([]);
  });

  it('keeps quoted words whole, like a shell', () => {
    expect(splitCommandLine(`git commit -m "fix: it's done"`)).toEqual([
      'git',
      'commit',
      '-m',
      "fix: it's done",
    ]);
    expect(splitCommandLine(`echo 'a  "b"' ""`)).toEqual(['echo', 'a  "b"', '']);
    expect(splitCommandLine(`echo a\\ b "x\\"y" 'c\\d'`)).toEqual(['echo', 'a b', 'x"y', 'c\\d']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => splitCommandLine(`echo "oops`)).toThrow(CommandLineError);
  });
});
