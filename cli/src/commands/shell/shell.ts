// `loopsy shell [--agent A]`: start a new session (a shell or an AI agent) and attach this terminal to it.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../../base-command.js';
import { attachSession } from '../../terminal-attach.js';
import { reportEnd } from './attach.js';

const AGENTS = ['shell', 'claude', 'codex', 'gemini', 'opencode'] as const;

export class ShellStartCommand extends BaseCommand {
  static override paths = [['shell']];
  static override usage = BaseCommand.Usage({
    description: 'Start a terminal session on the daemon and attach to it',
    details: 'The session keeps running after you detach (Ctrl-A d) or lose the connection.',
  });

  agent = Option.String('--agent', 'shell', {
    validator: t.isEnum(AGENTS),
    description: AGENTS.join(' | '),
  });
  name = Option.String('--name', { description: 'A name to find the session by' });
  cwd = Option.String('--cwd', { description: 'Working folder (default: your home)' });
  autoApprove = Option.Boolean('--auto-approve', false, {
    description:
      'Run the agent with its skip-permission flag (claude, codex, gemini; this laptop only)',
  });
  peer = Option.String('--peer', {
    description: 'Run it on another machine (peer id or hostname)',
  });

  protected async run(): Promise<number> {
    return this.withLocalClient(async (client) => {
      const { columns, rows } = this.context.stdout as { columns?: number; rows?: number };
      const info = await client.terminal.create.mutate({
        agent: this.agent,
        cols: Math.min(1000, Math.max(2, columns ?? 120)),
        rows: Math.min(500, Math.max(1, rows ?? 40)),
        ...(this.name ? { name: this.name } : {}),
        ...(this.cwd ? { cwd: this.cwd } : {}),
        ...(this.peer ? { peer: this.peer } : {}),
        ...(this.autoApprove ? { autoApprove: true } : {}),
      });
      if (this.json) {
        this.output(info, '');
        return 0;
      }
      const end = await attachSession(client, info.id, this.context);
      return reportEnd(this, info.name, end);
    });
  }
}
