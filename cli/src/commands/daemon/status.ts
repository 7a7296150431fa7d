// `loopsy status`: whether the daemon runs, and what it reports about itself.
import { BaseCommand } from '../../base-command.js';
import { findRunning } from '../../daemon-control.js';

export class DaemonStatusCommand extends BaseCommand {
  static override paths = [['status']];
  static override usage = BaseCommand.Usage({
    description: 'Show whether the daemon runs, and its status',
    details: 'Exits 0 when the daemon runs, 3 when it does not.',
  });

  protected async run(): Promise<number> {
    const state = await findRunning(this.home);
    if (!state) {
      this.output(
        { running: false, home: this.home },
        `Loopsy daemon is not running (data: ${this.home}).`,
      );
      return 3;
    }
    return this.withLocalClient(async (client) => {
      const status = await client.system.status.query();
      this.output({ running: true, url: state.url, ...status }, () =>
        [
          `Loopsy daemon ${status.version} running at ${state.url} (pid ${status.pid})`,
          `  node:    ${status.hostname} (${status.nodeId})`,
          `  uptime:  ${formatDuration(status.uptimeMs)}`,
          `  context: ${status.context.entries} entries`,
        ].join('\n'),
      );
      return 0;
    });
  }
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}
