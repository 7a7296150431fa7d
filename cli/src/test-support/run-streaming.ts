// Runs a streaming CLI command (watch, follow) in-process for tests, handing each stdout line over as it is written.
import { PassThrough } from 'node:stream';
import { createCli } from '../cli.js';

/**
 * Runs a streaming command in-process and hands each stdout line to `onLine` as it is written, so a test can
 * act once the stream says it is ready. Resolves with the exit code when the command ends.
 */
export function runStreaming(
  argv: string[],
  environment: Record<string, string>,
  onLine: (line: string) => void,
): Promise<number> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let buffered = '';
  stdout.on('data', (c: Buffer) => {
    buffered += c.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  stderr.resume();
  return createCli().run(argv, {
    stdin: process.stdin,
    stdout,
    stderr,
    env: environment,
    colorDepth: 1,
  });
}
