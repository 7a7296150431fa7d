// `loopsy sessions [list]`: the terminal sessions on this machine.
import { BaseCommand } from '../../base-command.js';

export class SessionsListCommand extends BaseCommand {
  static override paths = [['sessions'], ['sessions', 'list']];
  static override usage = BaseCommand.Usage({ description: 'List terminal sessions' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const sessions = await client.terminal.list.query();
      this.output(sessions, () =>
        sessions.length === 0
          ? 'No terminal sessions. Start one with `loopsy shell`.'
          : [
              'ID        NAME              AGENT     STATE     VIEWERS  SIZE     CREATED',
              ...sessions.map(
                (s) =>
                  `${s.id.slice(0, 8)}  ${s.name.padEnd(16)}  ${s.agent.padEnd(8)}  ${(s.state === 'exited' ? `exit ${s.exitCode}` : s.state).padEnd(8)}  ${String(s.viewers).padEnd(7)}  ${`${s.cols}x${s.rows}`.padEnd(7)}  ${new Date(s.createdAt).toLocaleString()}`,
              ),
            ].join('\n'),
      );
    });
  }
}
