// `loopsy sessions approve|deny <id>`: decide an auto-approve request from a phone (or anyone).
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';

export class SessionsApproveCommand extends BaseCommand {
  static override paths = [['sessions', 'approve']];
  static override usage = BaseCommand.Usage({
    description: 'Approve an auto-approve request: start the agent with its skip-permission flag',
  });

  id = Option.String({ required: true, name: 'request-id' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const result = await client.terminal.decideAutoApprove.mutate({ id: this.id, allow: true });
      this.output(result, () =>
        result.outcome === 'approved'
          ? `Approved: started ${result.session.name} (${result.session.id.slice(0, 8)}) running ${[result.session.command, ...result.session.args].join(' ')}.`
          : `Request ${this.id} was denied.`,
      );
    });
  }
}

export class SessionsDenyCommand extends BaseCommand {
  static override paths = [['sessions', 'deny']];
  static override usage = BaseCommand.Usage({
    description: 'Refuse an auto-approve request',
  });

  id = Option.String({ required: true, name: 'request-id' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const result = await client.terminal.decideAutoApprove.mutate({ id: this.id, allow: false });
      this.output(result, `Denied request ${this.id}.`);
    });
  }
}
