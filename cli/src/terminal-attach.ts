// Owns attaching this terminal to a daemon session: raw keys in, output out, resize on SIGWINCH, Ctrl-A d detaches.
import { randomUUID } from 'node:crypto';
import type { LoopsyClient } from '@loopsy/client-sdk/node';

const CTRL_A = 0x01;

export interface AttachIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export type AttachEnd =
  { reason: 'detached' } | { reason: 'exited'; exitCode: number; signal: number | null };

/** Splits typed bytes into what goes to the session and whether the detach chord (Ctrl-A d) was pressed. */
export class DetachKeys {
  private pendingPrefix = false;

  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.pendingPrefix) {
        this.pendingPrefix = false;
        if (byte === 0x64 || byte === 0x44) return { forward: Buffer.from(out), detach: true };
        out.push(CTRL_A);
        if (byte !== CTRL_A) out.push(byte);
      } else if (byte === CTRL_A) {
        this.pendingPrefix = true;
      } else {
        out.push(byte);
      }
    }
    return { forward: Buffer.from(out), detach: false };
  }
}

export async function attachSession(
  client: LoopsyClient,
  id: string,
  io: AttachIo,
): Promise<AttachEnd> {
  const viewerId = randomUUID();
  const keys = new DetachKeys();
  let sending: Promise<unknown> = Promise.resolve();
  const send = (data: Buffer): void => {
    if (data.length === 0) return;
    sending = sending
      .then(() =>
        client.terminal.write.mutate({
          id,
          data: data.toString('base64'),
          encoding: 'base64',
          viewerId,
        }),
      )
      .catch((err: unknown) => io.stderr.write(`\r\nloopsy: ${(err as Error).message}\r\n`));
  };
  const resize = (): void => {
    const { columns, rows } = io.stdout;
    if (io.stdout.isTTY && columns && rows) {
      void client.terminal.resize
        .mutate({
          id,
          cols: Math.min(1000, Math.max(2, columns)),
          rows: Math.min(500, rows),
          viewerId,
        })
        .catch(() => undefined);
    }
  };

  return new Promise<AttachEnd>((resolve, reject) => {
    let finished = false;
    const wasRaw = io.stdin.isTTY === true;
    const finish = (end: AttachEnd | Error): void => {
      if (finished) return;
      finished = true;
      subscription.unsubscribe();
      io.stdin.off('data', onKeys);
      process.off('SIGWINCH', resize);
      if (wasRaw) io.stdin.setRawMode?.(false);
      io.stdin.pause();
      if (end instanceof Error) reject(end);
      else void sending.then(() => resolve(end));
    };
    const onKeys = (chunk: Buffer | string): void => {
      const { forward, detach } = keys.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      send(forward);
      if (detach) finish({ reason: 'detached' });
    };

    const subscription = client.terminal.onOutput.subscribe(
      { id, viewerId },
      {
        onData: ({ data: event }) => {
          if (event.type === 'snapshot') {
            io.stdout.write('\x1b[0m\x1b[H\x1b[2J\x1b[3J');
            io.stdout.write(event.data);
          } else if (event.type === 'data') {
            io.stdout.write(Buffer.from(event.data, 'base64'));
          } else {
            finish({ reason: 'exited', exitCode: event.exitCode, signal: event.signal });
          }
        },
        onError: (err) => finish(err instanceof Error ? err : new Error(String(err))),
      },
    );
    if (wasRaw) io.stdin.setRawMode?.(true);
    io.stdin.on('data', onKeys);
    io.stdin.resume();
    process.on('SIGWINCH', resize);
    resize();
  });
}
