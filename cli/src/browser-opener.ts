// Owns opening a local file in the user's browser: the platform's opener, detached, with nothing but the
// file's path as its argument (so no secret ever shows in a process list).
import { spawn } from 'node:child_process';
import { findOnPath } from '@loopsy/daemon';

interface Opener {
  file: string;
  args: string[];
  verbatim: boolean;
}

type Env = Record<string, string | undefined>;

function findOpener(platform: NodeJS.Platform, env: Env): Opener | undefined {
  if (platform === 'win32') {
    // `start` is a cmd builtin; its first quoted argument is a window title, hence the empty one.
    return { file: env['ComSpec'] ?? 'cmd.exe', args: ['/c', 'start', '""'], verbatim: true };
  }
  const name = platform === 'darwin' ? 'open' : 'xdg-open';
  const file = findOnPath(name, env['PATH']);
  return file ? { file, args: [], verbatim: false } : undefined;
}

/** Starts the opener for `target`; false when this machine has none (the caller then prints the link). */
export function openInBrowser(target: string, env: Env, platform = process.platform): boolean {
  const opener = findOpener(platform, env);
  if (!opener) return false;
  try {
    const child = spawn(opener.file, [...opener.args, opener.verbatim ? `"${target}"` : target], {
      detached: true,
      stdio: 'ignore',
      env,
      windowsVerbatimArguments: opener.verbatim,
    });
    // A failure after the spawn (no display, no browser) is the opener's to report; the link is printed anyway.
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
