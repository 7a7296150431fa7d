// Owns what each agent choice runs: the user's shell, an AI agent CLI found on PATH, or a checked custom command.
import fs from 'node:fs';
import path from 'node:path';
import { CommandDenied, NotFound } from '../../errors.js';

export type AgentKind = 'shell' | 'claude' | 'codex' | 'gemini' | 'opencode' | 'custom';

/** Flags that let an agent act without asking; only the laptop may enable them (auto-approve). */
const SKIP_PERMISSION_FLAGS = new Set([
  '--dangerously-skip-permissions',
  '--permission-mode=bypassPermissions',
  '--yolo',
  '-y',
  '--approval-mode=yolo',
  '--full-auto',
  '--dangerously-bypass-approvals-and-sandbox',
]);

const AGENT_LABEL: Record<Exclude<AgentKind, 'shell' | 'custom'>, string> = {
  claude: 'Claude Code (claude)',
  codex: 'Codex CLI (codex)',
  gemini: 'Gemini CLI (gemini)',
  opencode: 'opencode',
};

export function findOnPath(program: string, envPath: string | undefined): string | undefined {
  if (program.includes('/')) return isExecutable(program) ? program : undefined;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface ResolvedCommand {
  file: string;
  args: string[];
}

export function resolveAgentCommand(
  agent: AgentKind,
  opts: {
    command?: string | undefined;
    args?: readonly string[] | undefined;
    env: Record<string, string>;
  },
): ResolvedCommand {
  const args = [...(opts.args ?? [])];
  if (agent === 'shell') {
    const shell =
      opts.env['SHELL'] && findOnPath(opts.env['SHELL'], opts.env['PATH'])
        ? opts.env['SHELL']
        : undefined;
    const file = shell ?? findOnPath('bash', opts.env['PATH']) ?? '/bin/sh';
    return { file, args: args.length > 0 ? args : ['-l'] };
  }
  if (agent === 'custom') {
    if (!opts.command) throw new NotFound('A custom session needs a command (e.g. `htop`).');
    const file = findOnPath(opts.command, opts.env['PATH']);
    if (!file)
      throw new NotFound(
        `No program "${opts.command}" on PATH; check the name or give an absolute path.`,
      );
    return { file, args };
  }
  const denied = args.find((a) => SKIP_PERMISSION_FLAGS.has(a) || a.startsWith('--dangerously'));
  if (denied) {
    throw new CommandDenied(
      `"${denied}" lets the agent act without asking; it cannot be passed as an argument. Enable auto-approve on the laptop instead.`,
    );
  }
  const file = findOnPath(agent, opts.env['PATH']);
  if (!file) {
    throw new NotFound(
      `${AGENT_LABEL[agent]} is not installed on this machine (not found on PATH). Install it, or start a shell session.`,
    );
  }
  return { file, args };
}
