// Process entry of the daemon (`node dist/bin.js --home … --port …`): parses arguments and runs it.
import { parseArgs } from 'node:util';
import { ConfigError, resolveHome } from './config.js';
import { runDaemon } from './main.js';
import { dataPaths } from './paths.js';
import { AlreadyRunning } from './services/daemon-state.js';

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`--port must be a whole number from 0 to 65535, not "${value}".`);
  }
  return n;
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      home: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
    },
    strict: true,
  });
  const home = resolveHome(values.home);
  const port = parsePort(values.port);
  await runDaemon({
    home,
    ...(port !== undefined ? { port } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    onListening: (d) => {
      process.stdout.write(
        `Loopsy daemon ${d.services.version} listening on ${d.url} (data: ${dataPaths(home).home})\n`,
      );
    },
  });
}

cli().then(
  () => process.exit(0),
  (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof AlreadyRunning;
    process.stderr.write(
      `loopsy daemon: ${known ? (err as Error).message : String((err as Error).stack ?? err)}\n`,
    );
    process.exit(known ? 2 : 1);
  },
);
