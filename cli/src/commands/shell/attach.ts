// `loopsy attach <id|name>`: attach this terminal to a running session (Ctrl-A d detaches, leaving it running).
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';
import { attachSession, type AttachEnd } from '../../terminal-attach.js';

export class ShellAttachCommand extends BaseCommand {
  static override paths = [['attach']];
  static override usage = BaseCommand.Usage({
    description: 'Attach to a terminal session (Ctrl-A d detaches; Ctrl-A Ctrl-A sends Ctrl-A)',
  });

  session = Option.String({ required: true, name: 'id|name' });

  protected async run(): Promise<number> {
    return this.withLocalClient(async (client) => {
      const info = await client.terminal.get.query({ id: this.session });
      const end = await attachSession(client, info.id, this.context);
      return reportEnd(this, info.name, end);
    });
  }
}

export function reportEnd(cmd: BaseCommand, name: string, end: AttachEnd): number {
  if (end.reason === 'detached') {
    cmd.context.stderr.write(
      `\r\n[detached from ${name}; reattach with \`loopsy attach ${name}\`]\r\n`,
    );
    return 0;
  }
  cmd.context.stderr.write(`\r\n[${name} exited with code ${end.exitCode}]\r\n`);
  return end.signal ? 128 + end.signal : end.exitCode;
}
