// Owns the command table: every `loopsy` command is registered here.
import { Builtins, Cli } from 'clipanion';
import { VERSION } from '@loopsy/daemon';
import { DaemonInitCommand } from './commands/daemon/init.js';
import { DaemonLogsCommand } from './commands/daemon/logs.js';
import { DaemonStartCommand } from './commands/daemon/start.js';
import { DaemonStatusCommand } from './commands/daemon/status.js';
import { DaemonStopCommand } from './commands/daemon/stop.js';
import { KeyGenerateCommand } from './commands/key/generate.js';
import { KeyShowCommand } from './commands/key/show.js';

export function createCli(): Cli {
  const cli = new Cli({ binaryLabel: 'Loopsy', binaryName: 'loopsy', binaryVersion: VERSION });
  for (const command of [
    DaemonInitCommand,
    DaemonStartCommand,
    DaemonStopCommand,
    DaemonStatusCommand,
    DaemonLogsCommand,
    KeyShowCommand,
    KeyGenerateCommand,
    Builtins.HelpCommand,
    Builtins.VersionCommand,
  ]) {
    cli.register(command);
  }
  return cli;
}
