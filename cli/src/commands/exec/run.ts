// `loopsy exec`: runs a command through the daemon (buffered or streamed), exiting with its exit code.
import os from 'node:os';
import path from 'node:path';
import { Option } from 'clipanion';
import { connectLocal, type LoopsyClient, type RouterOutputs } from '@loopsy/client-sdk/node';
import * as t from 'typanion';
import { BaseCommand, CliError } from '../../base-command.js';

type ExecResult = RouterOutputs['exec']['run'];
type StreamEvent = { type: 'stdout' | 'stderr'; data: string } | { type: string };
interface ExitEvent {
  type: 'exit';
  exitCode: number | null;
  signal: string | null;
  cancelled: boolean;
}

/** Shell convention for a program killed by Ctrl-C. */
const INTERRUPTED = 130;

export class ExecRunCommand extends BaseCommand {
  static override paths = [['exec']];
  static override usage = BaseCommand.Usage({
    description: 'Run a command through the Loopsy daemon',
    details: `
      Runs the command without a shell (use --shell for a \`/bin/sh -c\` script) and exits with its exit code,
      or 128 + the signal number when it was killed. The daemon refuses commands in execution.denylist.

      --stream prints output as it arrives and survives reconnects; Ctrl-C cancels the job. With --json the
      result is printed as JSON (with --stream: one JSON object per event).
    `,
    examples: [
      ['Run a command', '$0 exec -- ls -la'],
      [
        'Stream a long build in another folder',
        '$0 exec --stream --cwd ~/src/app -- npm run build',
      ],
    ],
  });

  peer = Option.String('--peer', { description: 'Run on this peer (default: this machine)' });
  cwd = Option.String('--cwd', { description: 'Working folder (default: the current folder)' });
  timeout = Option.String('--timeout', {
    description: 'Stop the command after this many seconds (default: execution.defaultTimeoutMs)',
    validator: t.cascade(t.isNumber(), [t.isInExclusiveRange(0, 86_400.001)]),
  });
  stream = Option.Boolean('--stream', false, { description: 'Print output as it arrives' });
  shell = Option.Boolean('--shell', false, {
    description: 'Run the command as a /bin/sh -c script',
  });
  // Options end at the command: everything after it is the command's own (`loopsy exec ls -la`).
  command = Option.String({ name: 'command' });
  args = Option.Proxy({ name: 'args' });

  protected async run(): Promise<number> {
    const client = connectLocal({ home: this.home });
    try {
      const input = {
        command: this.command,
        args: this.args,
        shell: this.shell,
        ...(this.peer !== undefined ? { peer: this.peer } : {}),
        ...this.cwdInput(),
        ...(this.timeout !== undefined ? { timeoutMs: Math.ceil(this.timeout * 1000) } : {}),
      };
      return this.stream ? await this.streamed(client, input) : await this.buffered(client, input);
    } finally {
      await client.close();
    }
  }

  private cwdInput(): { cwd?: string } {
    if (this.cwd !== undefined) {
      const expanded =
        this.cwd === '~' || this.cwd.startsWith('~/') ? os.homedir() + this.cwd.slice(1) : this.cwd;
      return { cwd: path.resolve(expanded) };
    }
    // Another machine's folders are not ours: there the daemon picks its user's home.
    return this.peer === undefined || this.peer === 'local' ? { cwd: process.cwd() } : {};
  }

  private async buffered(
    client: LoopsyClient,
    input: Parameters<LoopsyClient['exec']['run']['mutate']>[0],
  ): Promise<number> {
    const result: ExecResult = await client.exec.run.mutate(input);
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      this.context.stdout.write(result.stdout);
      this.context.stderr.write(result.stderr);
      const cut = (name: string, kept: string, total: number): string =>
        `${name} cut to its first ${Buffer.byteLength(kept)} of ${total} bytes`;
      const notes = [
        result.truncated.stdout ? cut('stdout', result.stdout, result.stdoutBytes) : '',
        result.truncated.stderr ? cut('stderr', result.stderr, result.stderrBytes) : '',
        result.truncated.stdout || result.truncated.stderr ? 'use --stream for long output' : '',
        result.timedOut ? 'timed out' : '',
      ].filter(Boolean);
      if (notes.length > 0) this.context.stderr.write(`loopsy: ${notes.join('; ')}.\n`);
    }
    return exitCodeOf(result);
  }

  private async streamed(
    client: LoopsyClient,
    input: Parameters<LoopsyClient['exec']['start']['mutate']>[0],
  ): Promise<number> {
    const { jobId } = await client.exec.start.mutate(input);
    let interrupted = false;
    const onInterrupt = (): void => {
      interrupted = true;
      // The job ends with an exit event, which ends the subscription below.
      client.exec.cancel.mutate({ jobId }).catch(() => undefined);
    };
    process.on('SIGINT', onInterrupt);
    try {
      const exit = await new Promise<ExitEvent | undefined>((resolve, reject) => {
        // The WebSocket link resubscribes after a reconnect with the last id seen, so nothing repeats or is lost.
        const subscription = client.exec.onStream.subscribe(
          { jobId, ...(input.peer !== undefined ? { peer: input.peer } : {}) },
          {
            onData: ({ id, data }) => {
              const event = data as StreamEvent;
              if (this.json) this.context.stdout.write(`${JSON.stringify({ id, ...event })}\n`);
              else this.print(event);
              if (event.type === 'exit') {
                resolve(event as ExitEvent); // before unsubscribing, which completes the stream
                subscription.unsubscribe();
              }
            },
            onError: (err) => reject(err),
            onComplete: () => resolve(undefined),
          },
        );
      });
      if (!exit) throw new CliError(`The stream of job ${jobId} ended before the command did.`);
      return interrupted ? INTERRUPTED : exitCodeOf(exit);
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  }

  private print(event: StreamEvent): void {
    if ('data' in event) {
      (event.type === 'stdout' ? this.context.stdout : this.context.stderr).write(event.data);
    } else if (event.type === 'gap') {
      this.context.stderr.write('loopsy: some output was lost while disconnected.\n');
    }
  }
}

/** The command's exit code, or 128 + the signal number when a signal ended it (as shells report it). */
export function exitCodeOf(result: { exitCode: number | null; signal: string | null }): number {
  if (result.exitCode !== null) return result.exitCode;
  const number = result.signal ? os.constants.signals[result.signal as NodeJS.Signals] : undefined;
  return number !== undefined ? 128 + number : 1;
}
