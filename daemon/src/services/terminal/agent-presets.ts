// Owns what each agent choice runs: the user's shell, an AI agent CLI found on PATH, or a checked custom command.
import fs from 'node:fs';
import path from 'node:path';
import { BadInput, CommandDenied, NotFound } from '../../errors.js';

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
/** Options whose value turns prompts off: `--option value` or `--option=value`. */
const SKIP_PERMISSION_VALUES = new Map<string, RegExp>([
  ['--permission-mode', /^bypasspermissions$/i],
  ['--approval-mode', /^yolo$/i],
  ['--ask-for-approval', /^never$/i],
  ['-a', /^never$/i],
  ['--sandbox', /^danger-full-access$/i],
  ['-s', /^danger-full-access$/i],
]);

/** The first argument that would switch an agent's permission prompts off, if any. */
export function findSkipPermissionArg(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (SKIP_PERMISSION_FLAGS.has(arg) || /^--(dangerously|yolo)/.test(arg)) return arg;
    const eq = arg.indexOf('=');
    const [name, value] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, args[i + 1]];
    const pattern = SKIP_PERMISSION_VALUES.get(name);
    if (pattern && value !== undefined && pattern.test(value))
      return eq > 0 ? arg : `${arg} ${value}`;
  }
  return undefined;
}

/** What each agent runs with when the laptop confirmed auto-approve. opencode has no such flag. */
const AUTO_APPROVE_FLAG = {
  claude: '--dangerously-skip-permissions',
  codex: '--dangerously-bypass-approvals-and-sandbox',
  gemini: '--yolo',
} as const;

export type AutoApproveAgent = keyof typeof AUTO_APPROVE_FLAG;

/** The agent's skip-permission flag; BAD_REQUEST for a choice that has none. */
export function autoApproveFlag(agent: AgentKind): string {
  switch (agent) {
    case 'claude':
    case 'codex':
    case 'gemini':
      return AUTO_APPROVE_FLAG[agent];
    case 'opencode':
      throw new BadInput(
        'opencode has no command-line flag to skip its permission prompts; set its permissions in opencode.json, or start it without auto-approve.',
      );
    case 'shell':
    case 'custom':
      throw new BadInput(
        'auto-approve applies to AI agents (claude, codex, gemini); a shell or custom command has no prompts to skip.',
      );
  }
}

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
    /** Confirmed on the laptop: run the agent with its skip-permission flag. */
    autoApprove?: boolean | undefined;
  },
): ResolvedCommand {
  const flag = opts.autoApprove ? autoApproveFlag(agent) : undefined;
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
  const denied = findSkipPermissionArg(args);
  if (denied !== undefined) {
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
  // First, so a `--` among the user's args cannot turn the flag into a positional argument.
  return { file, args: flag === undefined ? args : [flag, ...args] };
}
