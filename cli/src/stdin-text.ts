// Owns reading a value from standard input (`loopsy context set key -`), bounded so a runaway pipe cannot fill memory.
import { CliError } from './base-command.js';

/** All of `stream` as UTF-8 text; refuses more than `maxBytes` without reading the rest. */
export async function readStdinText(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
  what: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > maxBytes) {
      throw new CliError(
        `${what} from standard input is over ${maxBytes} bytes (the limit is 1 MiB); store a file path instead.`,
      );
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
