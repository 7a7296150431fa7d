// Owns the command table: every `loopsy` command is registered here.
import { Builtins, Cli } from 'clipanion';
import { VERSION } from '@loopsy/daemon';
import { ContextDeleteCommand } from './commands/context/delete.js';
import { ContextGetCommand } from './commands/context/get.js';
import { ContextListCommand } from './commands/context/list.js';
import { ContextSetCommand } from './commands/context/set.js';
import { ContextWatchCommand } from './commands/context/watch.js';
import { DashboardOpenCommand } from './commands/dashboard/open.js';
import { DaemonInitCommand } from './commands/daemon/init.js';
import { DaemonLogsCommand } from './commands/daemon/logs.js';
import { DaemonStartCommand } from './commands/daemon/start.js';
import { DaemonStatusCommand } from './commands/daemon/status.js';
import { DaemonStopCommand } from './commands/daemon/stop.js';
import { ExecJobsCommand } from './commands/exec/jobs.js';
import { ExecRunCommand } from './commands/exec/run.js';
import { FilesListCommand } from './commands/files/ls.js';
import { FilesPullCommand } from './commands/files/pull.js';
import { FilesSendCommand } from './commands/files/send.js';
import { KeyGenerateCommand } from './commands/key/generate.js';
import { KeyShowCommand } from './commands/key/show.js';
import { MobilePairCommand } from './commands/mobile/pair.js';
import { MsgAckCommand } from './commands/msg/ack.js';
import { MsgInboxCommand } from './commands/msg/inbox.js';
import { MsgOutboxCommand } from './commands/msg/outbox.js';
import { MsgSendCommand } from './commands/msg/send.js';
import { MsgWatchCommand } from './commands/msg/watch.js';
import { PhoneListCommand, PhoneRevokeCommand } from './commands/phone/list.js';
import { RelayConfigureCommand } from './commands/relay/configure.js';
import { RelayServeCommand } from './commands/relay/serve.js';
import { SessionsApprovalsCommand } from './commands/sessions/approvals.js';
import { SessionsApproveCommand, SessionsDenyCommand } from './commands/sessions/decide.js';
import { SessionsKillCommand, SessionsRemoveCommand } from './commands/sessions/kill.js';
import { SessionsListCommand } from './commands/sessions/list.js';
import { ShellAttachCommand } from './commands/shell/attach.js';
import { ShellStartCommand } from './commands/shell/shell.js';

export function createCli(): Cli {
  const cli = new Cli({ binaryLabel: 'Loopsy', binaryName: 'loopsy', binaryVersion: VERSION });
  for (const command of [
    DaemonInitCommand,
    DaemonStartCommand,
    DaemonStopCommand,
    DaemonStatusCommand,
    DaemonLogsCommand,
    ExecRunCommand,
    ExecJobsCommand,
    FilesSendCommand,
    FilesPullCommand,
    FilesListCommand,
    KeyShowCommand,
    KeyGenerateCommand,
    ShellStartCommand,
    ShellAttachCommand,
    SessionsListCommand,
    SessionsKillCommand,
    SessionsRemoveCommand,
    SessionsApprovalsCommand,
    SessionsApproveCommand,
    SessionsDenyCommand,
    DashboardOpenCommand,
    RelayServeCommand,
    RelayConfigureCommand,
    MobilePairCommand,
    PhoneListCommand,
    PhoneRevokeCommand,
    ContextSetCommand,
    ContextGetCommand,
    ContextListCommand,
    ContextDeleteCommand,
    ContextWatchCommand,
    MsgSendCommand,
    MsgInboxCommand,
    MsgOutboxCommand,
    MsgAckCommand,
    MsgWatchCommand,
    Builtins.HelpCommand,
    Builtins.VersionCommand,
  ]) {
    cli.register(command);
  }
  return cli;
}
