// `loopsy stop`: stops the daemon that serves the data folder.
import { BaseCommand } from '../../base-command.js';
import { stopDaemon } from '../../daemon-control.js';

export class DaemonStopCommand extends BaseCommand {
  static override paths = [['stop']];
  static override usage = BaseCommand.Usage({ description: 'Stop the Loopsy daemon' });

  protected async run(): Promise<void> {
    const pid = await stopDaemon(this.home);
    this.output(
      { stopped: pid !== undefined, pid: pid ?? null },
      pid === undefined ? 'Loopsy daemon is not running.' : `Loopsy daemon stopped (pid ${pid}).`,
    );
  }
}
