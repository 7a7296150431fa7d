// `loopsy sessions approvals`: the auto-approve requests waiting for this laptop's decision.
import { BaseCommand } from '../../base-command.js';

export class SessionsApprovalsCommand extends BaseCommand {
  static override paths = [['sessions', 'approvals']];
  static override usage = BaseCommand.Usage({
    description: 'List requests to start an agent with auto-approve, waiting for your decision',
    details:
      'Approve one with `loopsy sessions approve <id>` (the agent then runs with its skip-permission flag) or refuse it with `loopsy sessions deny <id>`. Requests expire after 5 minutes.',
  });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const requests = await client.terminal.autoApproveRequests.query();
      this.output(requests, () =>
        requests.length === 0
          ? 'No auto-approve requests are waiting.'
          : requests
              .map(
                (r) =>
                  `${r.id}  ${r.requestedBy} asks for ${r.agent} with auto-approve` +
                  `${r.name ? ` (name ${r.name})` : ''}\n` +
                  `          in ${r.cwd}\n` +
                  `          runs ${[r.command, ...r.args].join(' ')}\n` +
                  `          expires ${new Date(r.expiresAt).toLocaleTimeString()}`,
              )
              .join('\n'),
      );
    });
  }
}
