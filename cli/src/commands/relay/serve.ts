// `loopsy relay serve`: run a relay (Node host) for your phones and laptops, in the foreground.
import path from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { DEFAULT_RELAY_PORT, startRelayServer } from '@loopsy/relay/node';
import { findPhoneAppBuild } from '@loopsy/daemon';
import { BaseCommand } from '../../base-command.js';

export class RelayServeCommand extends BaseCommand {
  static override paths = [['relay', 'serve']];
  static override usage = BaseCommand.Usage({
    description: 'Run a relay that phones and daemons connect to (foreground, Ctrl-C stops it)',
    details:
      'Put it behind TLS (a reverse proxy) when it is reachable from the internet. It only forwards end-to-end encrypted frames.',
  });

  port = Option.String('--port', String(DEFAULT_RELAY_PORT), {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]),
  });
  host = Option.String('--host', '127.0.0.1', {
    description: 'Address to listen on (0.0.0.0 for every interface)',
  });
  data = Option.String('--data', {
    description: 'Folder for the relay database (default: <home>/relay-server)',
  });
  connectsPerMinute = Option.String('--connects-per-minute', {
    description:
      'Phone connections allowed per client address per minute (default 60; raise it for many phones behind one NAT)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 1_000_000)]),
  });

  protected async run(): Promise<void> {
    const dataDir = path.resolve(this.data ?? path.join(this.home, 'relay-server'));
    const server = await startRelayServer({
      port: Number(this.port),
      host: this.host,
      dataDir,
      appDir: findPhoneAppBuild(),
      ...(this.connectsPerMinute !== undefined
        ? { rateLimits: { connect: { limit: this.connectsPerMinute, windowMs: 60_000 } } }
        : {}),
    });
    this.output(
      { url: server.url, port: server.port, dataDir },
      `Loopsy relay listening on ${server.url} (data: ${dataDir}). Point a daemon at it with \`loopsy relay configure ${server.url}\`.`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  }
}
