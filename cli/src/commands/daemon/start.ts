// `loopsy start`: starts the daemon (detached by default), creating the data folder's setup if missing.
import { Option } from 'clipanion';
import { runDaemon, type RunningDaemon } from '@loopsy/daemon';
import * as t from 'typanion';
import { BaseCommand } from '../../base-command.js';
import { findRunning, spawnDaemon } from '../../daemon-control.js';
import { ensureHome } from '../../setup.js';

async function pairingOffer(relay: RunningDaemon['services']['relay']) {
  if (!(await relay.waitConnected(5000))) return undefined;
  return relay.createPairing(1800).catch(() => undefined);
}

export class DaemonStartCommand extends BaseCommand {
  static override paths = [['start']];
  static override usage = BaseCommand.Usage({
    description: 'Start the Loopsy daemon',
    details: 'Listens on 127.0.0.1 unless --lan is given. Returns once the daemon answers.',
  });

  foreground = Option.Boolean('--foreground', false, {
    description: 'Run in this terminal until Ctrl-C',
  });
  port = Option.String('--port', {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]),
  });
  lan = Option.Boolean('--lan', false, {
    description: 'Listen on every interface (reachable from your LAN)',
  });

  protected async run(): Promise<void> {
    const home = this.home;
    const running = await findRunning(home);
    if (running) {
      this.output(
        { running: true, alreadyRunning: true, pid: running.pid, url: running.url },
        `Loopsy daemon is already running at ${running.url} (pid ${running.pid}).`,
      );
      return;
    }
    const { initialized } = ensureHome(home);
    if (initialized && !this.json) this.context.stdout.write(`Initialized ${home}\n`);
    const host = this.lan ? '0.0.0.0' : undefined;
    if (this.lan && !this.json) {
      this.context.stderr.write(
        'loopsy: --lan: the daemon is reachable from other machines on your network.\n',
      );
    }
    const opts = {
      ...(this.port !== undefined ? { port: this.port } : {}),
      ...(host ? { host } : {}),
    };

    if (this.foreground) {
      await runDaemon({
        home,
        ...opts,
        onListening: async (d) => {
          const offer = await pairingOffer(d.services.relay);
          this.output(
            {
              running: true,
              pid: process.pid,
              url: d.url,
              nodeId: d.services.identity.nodeId,
              pairing: offer ?? null,
            },
            `Loopsy daemon ${d.services.version} listening on ${d.url} (data: ${home}). Ctrl-C stops it.\n` +
              (offer
                ? `Pair a phone: open ${offer.link}\n  and enter the code ${offer.code} (valid 30 min; new one: \`npx loopsy mobile pair\`).\n`
                : 'Pair a phone with `npx loopsy mobile pair` once the relay is connected.\n') +
              `Status: \`npx loopsy status\`; API key: \`npx loopsy key show\`.`,
          );
        },
      });
      return;
    }
    const state = await spawnDaemon(home, opts);
    this.output(
      {
        running: true,
        alreadyRunning: false,
        pid: state.pid,
        url: state.url,
        nodeId: state.nodeId,
      },
      `Loopsy daemon started at ${state.url} (pid ${state.pid}).`,
    );
  }
}
