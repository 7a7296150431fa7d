// `loopsy relay serve`: run a relay (Node host) for your phones and laptops, in the foreground.
import path from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { startRelayServer } from '@loopsy/relay/node';
import { BaseCommand } from '../../base-command.js';

export class RelayServeCommand extends BaseCommand {
  static override paths = [['relay', 'serve']];
  static override usage = BaseCommand.Usage({
    description: 'Run a relay that phones and daemons connect to (foreground, Ctrl-C stops it)',
    details:
      'Put it behind TLS (a reverse proxy) when it is reachable from the internet. It only forwards end-to-end encrypted frames.',
  });

  port = Option.String('--port', '8787', {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]),
  });
  host = Option.String('--host', '127.0.0.1', {
    description: 'Address to listen on (0.0.0.0 for every interface)',
  });
  data = Option.String('--data', {
    description: 'Folder for the relay database (default: <home>/relay-server)',
  });

  protected async run(): Promise<void> {
    const dataDir = path.resolve(this.data ?? path.join(this.home, 'relay-server'));
    const server = await startRelayServer({ port: Number(this.port), host: this.host, dataDir });
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
