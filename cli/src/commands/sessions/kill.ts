// `loopsy sessions kill|remove <id|name>`: end a session's process, or end it and forget it.
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';

export class SessionsKillCommand extends BaseCommand {
  static override paths = [['sessions', 'kill']];
  static override usage = BaseCommand.Usage({
    description: "Kill a session's process (it stays listed as exited)",
  });

  session = Option.String({ required: true, name: 'id|name' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      const info = await client.terminal.kill.mutate({ id: this.session });
      this.output(info, `Killed ${info.name} (${info.id.slice(0, 8)}).`);
    });
  }
}

export class SessionsRemoveCommand extends BaseCommand {
  static override paths = [['sessions', 'remove']];
  static override usage = BaseCommand.Usage({
    description: 'Kill a session if it runs, and remove it',
  });

  session = Option.String({ required: true, name: 'id|name' });

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      await client.terminal.remove.mutate({ id: this.session });
      this.output({ removed: this.session }, `Removed ${this.session}.`);
    });
  }
}
