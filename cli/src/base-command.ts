// Owns what every command shares: --json and --home, output in both forms, and errors a user can act on.
import { Command, Option } from 'clipanion';
import { connectLocal, TRPCClientError, type LoopsyClient } from '@loopsy/client-sdk/node';
import { resolveHome } from '@loopsy/daemon';

/** An error whose message is for the user as it stands (no stack). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export abstract class BaseCommand extends Command {
  json = Option.Boolean('--json', false, { description: 'Print machine-readable JSON' });
  homeOption = Option.String('--home', {
    description: 'The Loopsy data folder (default: $LOOPSY_HOME or ~/.loopsy)',
  });

  protected abstract run(): Promise<number | void> | number | void;

  override async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (err) {
      const { message, exitCode } = describeError(err);
      if (this.json) this.context.stdout.write(`${JSON.stringify({ error: { message } })}\n`);
      else this.context.stderr.write(`loopsy: ${message}\n`);
      return exitCode;
    }
  }

  protected get home(): string {
    return resolveHome(this.homeOption, this.context.env);
  }

  /** Runs `fn` with a client of the local daemon (its unix socket when up) and always closes it. */
  protected async withLocalClient<T>(fn: (client: LoopsyClient) => Promise<T>): Promise<T> {
    const client = connectLocal({ home: this.home });
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  /** Prints `value` as JSON with --json, else the human text. */
  protected output(value: unknown, human: string | (() => string)): void {
    if (this.json) this.context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else this.context.stdout.write(`${typeof human === 'string' ? human : human()}\n`);
  }
}

function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof TRPCClientError) {
    const cause = (err as TRPCClientError<never>).cause as { code?: string } | undefined;
    if (cause?.code === 'ECONNREFUSED' || /fetch failed/i.test(err.message)) {
      return {
        message: 'Cannot reach the Loopsy daemon. Is it running? Start it with `loopsy start`.',
        exitCode: 1,
      };
    }
    return { message: err.message, exitCode: 1 };
  }
  if (err instanceof Error && err.name !== 'Error') return { message: err.message, exitCode: 1 };
  return {
    message: `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    exitCode: 1,
  };
}
