// Owns the command policy: whether an argv may run under execution.denylist/allowlist, seen through wrappers.
import { CommandDenied } from '../errors.js';

export interface CommandPolicy {
  denylist: readonly string[];
  allowlist?: readonly string[] | undefined;
}

/** Layers of wrappers, scripts and inline code looked through before the command counts as too deep. */
export const MAX_NESTING = 8;

/**
 * Throws CommandDenied naming the rule when `argv` (or anything it would run) is denied.
 *
 * Protection against mistakes, not a security boundary (docs/security.md says what it cannot stop). It looks
 * through what commonly hides a program: paths, prefixes like env/sudo/nice/timeout/xargs, find -exec, shell
 * scripts (`sh -c`, `eval`, substitutions) and interpreter one-liners, whose string literals are read as shell
 * snippets. With an allowlist, every program seen must be listed; wrappers and `sh -c` count as the programs
 * they run, an interpreter with inline code counts as itself, and shell builtins inside scripts are exempt.
 */
export function checkCommand(argv: readonly string[], policy: CommandPolicy): void {
  new PolicyWalk(policy).argv(argv, { layers: [], depth: 0, strict: true, inShell: false });
}

interface Scope {
  /** How the command was reached, outermost first, for the message (`sudo`, `sh -c`, `$(…)`). */
  layers: readonly string[];
  depth: number;
  /** Whether the allowlist applies (not to snippets guessed from interpreter string literals). */
  strict: boolean;
  /** A simple command of a shell script: its builtins and reserved words are not programs. */
  inShell: boolean;
}

type Handler = (args: readonly string[], visit: Visit) => void;

interface Visit {
  /** The wrapper's name as seen (`python3`, `bash`), for labels. */
  name: string;
  /** The wrapper itself is what runs (for the allowlist). */
  self(): void;
  /** The wrapper runs this argv. */
  exec(argv: readonly string[], label?: string): void;
  /** The wrapper runs this shell script. */
  script(text: string, label: string): void;
  /** The interpreter runs this code; its string literals are checked as shell snippets. */
  code(text: string, label: string): void;
}

class PolicyWalk {
  private readonly denied: string[];
  private readonly allowed: Set<string> | undefined;

  constructor(policy: CommandPolicy) {
    this.denied = policy.denylist.map(programName).filter((n) => n !== '');
    this.allowed = policy.allowlist ? new Set(policy.allowlist.map(programName)) : undefined;
  }

  argv(argv: readonly string[], scope: Scope): void {
    const [program, ...args] = argv;
    if (program === undefined || program === '') return;
    this.deny(program, scope);
    const name = programName(program);
    const handler = handlerFor(name);
    if (!handler) {
      this.allow(program, scope);
      return;
    }
    handler(args, {
      name,
      self: () => this.allow(program, scope),
      exec: (inner, label) => this.argv(inner, enter(scope, label ?? name)),
      script: (text, label) => this.script(text, enter(scope, label)),
      code: (text, label) => {
        const inner = { ...enter(scope, label), strict: false };
        for (const literal of stringLiterals(text)) this.script(literal, inner);
      },
    });
  }

  script(text: string, scope: Scope): void {
    const substitutions: Substitution[] = [];
    const commands = simpleCommands(lexShell(text, substitutions));
    for (const argv of commands) this.argv(argv, { ...scope, inShell: true });
    for (const sub of substitutions) {
      const inner = enter(scope, sub.expansion ? '${…}' : '$(…)');
      // Read as a script too (bash falls back to `$(…)` when `$((…))` does not parse), but only for the denylist.
      this.script(sub.text, sub.expansion ? { ...inner, strict: false } : inner);
    }
  }

  private deny(program: string, scope: Scope): void {
    for (const candidate of nameCandidates(program)) {
      const entry = this.matchDenied(candidate);
      if (entry !== undefined) {
        throw new CommandDenied(
          `Command "${entry}" is denied by execution.denylist${where(scope)}. Change execution.denylist in config.yaml if it should be allowed.`,
        );
      }
    }
  }

  private matchDenied(name: string): string | undefined {
    if (name === '') return undefined;
    const glob = /[*?[]/.test(name) ? parseGlob(name) : undefined;
    return this.denied.find(
      (entry) => name === entry || name.startsWith(`${entry}.`) || (glob && globMatch(glob, entry)),
    );
  }

  private allow(program: string, scope: Scope): void {
    if (!this.allowed || !scope.strict) return;
    const name = programName(program);
    if (this.allowed.has(name) || (scope.inShell && SHELL_SYNTAX.has(name))) return;
    const listed = [...this.allowed];
    const shown = listed.slice(0, 20).join(', ') + (listed.length > 20 ? ', …' : '');
    const written = program.slice(
      Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\')) + 1,
    );
    throw new CommandDenied(
      `Command "${written}" is not in execution.allowlist${where(scope)}; allowed: ${shown || '(none)'}.`,
    );
  }
}

function enter(scope: Scope, label: string): Scope {
  const layers = [...scope.layers, label];
  if (scope.depth + 1 > MAX_NESTING) {
    throw new CommandDenied(
      `Command is too deeply nested to check against execution.denylist: more than ${MAX_NESTING} levels of wrappers, shells or inline code${where({ ...scope, layers })}; simplify it.`,
    );
  }
  return { ...scope, layers, depth: scope.depth + 1, inShell: false };
}

function where(scope: Scope): string {
  return scope.layers.length === 0 ? '' : ` (found inside "${scope.layers.join(' … ')} …")`;
}

/** The name a program is known by: basename, lower case, without `.exe`. */
export function programName(token: string): string {
  const base = token.slice(Math.max(token.lastIndexOf('/'), token.lastIndexOf('\\')) + 1);
  return base.toLowerCase().replace(/\.exe$/, '');
}

/** Names a token could stand for once a shell expands it (`r\m`, `rm${IFS}-rf`, `r$@m`). */
function nameCandidates(token: string): string[] {
  const out = new Set([programName(token), programName(token.replaceAll('\\', ''))]);
  const dollar = token.indexOf('$');
  if (dollar >= 0) {
    const noEmpty = token.replace(/\$\{?[@*]\}?/g, '');
    out.add(programName(noEmpty));
    out.add(programName(noEmpty.split(/\$\{?IFS\}?/)[0] ?? ''));
    out.add(programName(token.slice(0, dollar)));
  }
  return [...out];
}

type GlobPart =
  { any: true } | { star: true } | { set: string; negate: boolean } | { char: string };

function parseGlob(glob: string): GlobPart[] {
  const parts: GlobPart[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    const close = ch === '[' ? glob.indexOf(']', i + 2) : -1;
    const last = parts.at(-1);
    if (ch === '*') {
      if (!last || !('star' in last)) parts.push({ star: true });
    } else if (ch === '?') parts.push({ any: true });
    else if (close > 0) {
      const body = glob.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      parts.push({ set: negate ? body.slice(1) : body, negate });
      i = close;
    } else parts.push({ char: ch });
  }
  return parts;
}

function partMatches(part: GlobPart, ch: string): boolean {
  if ('any' in part) return true;
  if ('char' in part) return part.char === ch;
  if ('star' in part) return false;
  let inSet = false;
  for (let k = 0; k < part.set.length; k++) {
    const lo = part.set[k] ?? '';
    const hi = part.set[k + 1] === '-' && k + 2 < part.set.length ? (part.set[k + 2] ?? '') : '';
    if (hi) {
      if (ch >= lo && ch <= hi) inSet = true;
      k += 2;
    } else if (ch === lo) inSet = true;
  }
  return inSet !== part.negate;
}

/** Wildcard matching by backtracking to the last star only: linear in practice, never exponential. */
function globMatch(parts: readonly GlobPart[], text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const part = parts[p];
    if (part && 'star' in part) {
      starP = p++;
      starT = t;
    } else if (part && partMatches(part, text[t] ?? '')) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < parts.length && 'star' in (parts[p] ?? {})) p++;
  return p === parts.length;
}

// ---------------------------------------------------------------------------------------------------------
// Wrappers: programs whose operands name another program (or a script) to run.

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

interface OptionSpec {
  /** Short flags taking a value, attached (`-uroot`) or as the next argument. */
  short?: string;
  /** Long flags (without `--`) taking a value after `=` or as the next argument. */
  long?: readonly string[];
}

/** Index of the first operand; `seen` gets every flag (short letter or long name). Stops after `--`. */
function skipOptions(
  args: readonly string[],
  spec: OptionSpec,
  seen?: (flag: string) => void,
): number {
  let i = 0;
  while (i < args.length) {
    const a = args[i] ?? '';
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    if (a.startsWith('--')) {
      const [name, value] = splitLong(a);
      seen?.(name);
      i += value === undefined && spec.long?.includes(name) ? 2 : 1;
      continue;
    }
    let step = 1;
    for (let j = 1; j < a.length; j++) {
      const ch = a[j] ?? '';
      seen?.(ch);
      if (spec.short?.includes(ch)) {
        if (j === a.length - 1) step = 2;
        break;
      }
    }
    i += step;
  }
  return i;
}

function splitLong(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg.slice(2), undefined] : [arg.slice(2, eq), arg.slice(eq + 1)];
}

/** Options, then a command (or the wrapper alone when there is none). */
function prefix(spec: OptionSpec, operands = 0): Handler {
  return (args, v) => {
    const i = skipOptions(args, spec) + operands;
    if (i < args.length) v.exec(args.slice(i));
    else v.self();
  };
}

const env: Handler = (args, v) => {
  let i = 0;
  while (i < args.length) {
    const a = args[i] ?? '';
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-') {
      i++;
      continue;
    }
    if (a.startsWith('--')) {
      const [name, value] = splitLong(a);
      if (name === 'split-string') {
        const text = value ?? args[i + 1] ?? '';
        v.exec(
          ['env', ...splitWords(text), ...args.slice(i + (value === undefined ? 2 : 1))],
          'env -S',
        );
        return;
      }
      i += value === undefined && (name === 'unset' || name === 'chdir') ? 2 : 1;
      continue;
    }
    if (a.startsWith('-')) {
      let step = 1;
      for (let j = 1; j < a.length; j++) {
        const ch = a[j] ?? '';
        if (ch === 'S') {
          const attached = a.slice(j + 1);
          const text = attached || (args[i + 1] ?? '');
          v.exec(['env', ...splitWords(text), ...args.slice(i + (attached ? 1 : 2))], 'env -S');
          return;
        }
        if ('uCP'.includes(ch)) {
          if (j === a.length - 1) step = 2;
          break;
        }
      }
      i += step;
      continue;
    }
    if (a.includes('=')) {
      i++;
      continue;
    }
    break;
  }
  if (i < args.length) v.exec(args.slice(i));
  else v.self();
};

const sudo: Handler = (args, v) => {
  let edit = false;
  let i = skipOptions(
    args,
    {
      short: 'CDghpRrtTUu',
      long: [
        'chdir',
        'close-from',
        'group',
        'host',
        'prompt',
        'chroot',
        'role',
        'type',
        'command-timeout',
        'other-user',
        'user',
      ],
    },
    (flag) => {
      if (flag === 'e' || flag === 'edit') edit = true;
    },
  );
  while (i < args.length && ASSIGNMENT.test(args[i] ?? '')) i++;
  if (edit || i >= args.length) v.self();
  else v.exec(args.slice(i));
};

const find: Handler = (args, v) => {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-exec' || a === '-execdir' || a === '-ok' || a === '-okdir') {
      let end = i + 1;
      while (end < args.length && args[end] !== ';' && args[end] !== '+') end++;
      v.exec(args.slice(i + 1, end), `find ${a}`);
      i = end;
    }
  }
  v.self();
};

const command: Handler = (args, v) => {
  let lookup = false;
  const i = skipOptions(args, {}, (flag) => {
    if (flag === 'v' || flag === 'V') lookup = true;
  });
  // `command -v rm` only says where rm is.
  if (!lookup && i < args.length) v.exec(args.slice(i));
};

const taskset: Handler = (args, v) => {
  let pid = false;
  const i = skipOptions(args, {}, (flag) => {
    if (flag === 'p' || flag === 'pid') pid = true;
  });
  if (!pid && i + 1 < args.length) v.exec(args.slice(i + 1));
  else v.self();
};

const watch: Handler = (args, v) => {
  let direct = false;
  const i = skipOptions(args, { short: 'nq', long: ['interval', 'equexit'] }, (flag) => {
    if (flag === 'x' || flag === 'exec') direct = true;
  });
  if (i >= args.length) v.self();
  else if (direct) v.exec(args.slice(i));
  else v.script(args.slice(i).join(' '), 'watch');
};

const su: Handler = (args, v) => {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith('--')) {
      const [name, value] = splitLong(a);
      if (name === 'command' || name === 'session-command') {
        v.script(value ?? args[i + 1] ?? '', 'su -c');
        return;
      }
    } else if (/^-[a-zA-Z]*c$/.test(a)) {
      v.script(args[i + 1] ?? '', 'su -c');
      return;
    }
  }
  v.self();
};

const SHELL_VALUE_LONG = ['rcfile', 'init-file', 'debug-output'];

/** sh, bash, zsh, fish…: `-c` (alone or in a cluster like `-lc`) makes the first operand a script. */
const shell: Handler = (args, v) => {
  let script = false;
  let i = 0;
  while (i < args.length) {
    const a = args[i] ?? '';
    if (a === '--' || a === '-') {
      i++;
      break;
    }
    if (!/^[-+]./.test(a)) break;
    if (a.startsWith('--')) {
      const [name, value] = splitLong(a);
      const text = value ?? args[i + 1] ?? '';
      if (name === 'command') {
        v.script(text, `${v.name} --command`);
        return;
      }
      if (name === 'init-command') v.script(text, `${v.name} --init-command`);
      const takesValue = name === 'init-command' || SHELL_VALUE_LONG.includes(name);
      i += value === undefined && takesValue ? 2 : 1;
      continue;
    }
    let step = 1;
    for (let j = 1; j < a.length; j++) {
      const ch = a[j] ?? '';
      if (ch === 'c') script = true;
      if (ch === 'o' || ch === 'O' || ch === 'C') {
        // fish's -C is an init command; sh's -o/+o and bash's -O take an option name.
        if (ch === 'C') v.script(a.slice(j + 1) || (args[i + 1] ?? ''), `${v.name} -C`);
        if (j === a.length - 1) step = 2;
        break;
      }
    }
    i += step;
  }
  if (script && i < args.length) v.script(args[i] ?? '', `${v.name} -c`);
  else v.self();
};

interface InlineSpec {
  /** Flags whose value is code. */
  code: string;
  /** Whether the code may be attached to its flag (`-e'code'`); node wants it as the next argument. */
  attached?: boolean;
  /** Flags taking a value, attached or next. */
  value?: string;
  /** Flags taking the rest of their cluster as an optional value (`perl -i.bak`). */
  rest?: string;
  /** Flags followed by optional digits (`perl -l0`). */
  digits?: string;
  /** Flags after which the interpreter stops reading options (`python -m`). */
  stop?: string;
  longCode?: readonly string[];
  longValue?: readonly string[];
  /** Flags that mean the program comes from a file (`awk -f`, `awk --file`). */
  fromFile?: string;
  longFromFile?: readonly string[];
  /** The program is the first operand when no code flag or file flag gave one (awk). */
  programOperand?: boolean;
}

/** python -c, node -e, perl -e…: the interpreter runs, and its inline code's string literals are checked. */
function interpreter(spec: InlineSpec): Handler {
  return (args, v) => {
    const codes: Array<[string, string]> = [];
    let fromFile = false;
    let i = 0;
    scan: while (i < args.length) {
      const a = args[i] ?? '';
      if (a === '--') {
        i++;
        break;
      }
      if (!a.startsWith('-') || a === '-') break;
      if (a.startsWith('--')) {
        const [name, value] = splitLong(a);
        if (spec.longCode?.includes(name)) {
          codes.push([`--${name}`, value ?? args[i + 1] ?? '']);
          i += value === undefined ? 2 : 1;
          continue;
        }
        if (spec.longFromFile?.includes(name)) fromFile = true;
        i += value === undefined && spec.longValue?.includes(name) ? 2 : 1;
        continue;
      }
      let step = 1;
      for (let j = 1; j < a.length; j++) {
        const ch = a[j] ?? '';
        if (spec.fromFile?.includes(ch)) fromFile = true;
        if (spec.code.includes(ch)) {
          const attached = spec.attached === false ? '' : a.slice(j + 1);
          if (attached) codes.push([`-${ch}`, attached]);
          else {
            codes.push([`-${ch}`, args[i + 1] ?? '']);
            step = 2;
          }
          break;
        }
        if (spec.value?.includes(ch)) {
          if (j === a.length - 1) step = 2;
          break;
        }
        if (spec.rest?.includes(ch)) break;
        if (spec.digits?.includes(ch)) {
          if (a[j + 1] === 'x') break;
          while (/[0-7]/.test(a[j + 1] ?? '')) j++;
          continue;
        }
        if (spec.stop?.includes(ch)) break scan;
      }
      i += step;
    }
    if (spec.programOperand && codes.length === 0 && !fromFile && i < args.length) {
      codes.push(['program', args[i] ?? '']);
    }
    for (const [flag, code] of codes) v.code(code, `${v.name} ${flag}`);
    v.self();
  };
}

const HANDLERS = new Map<string, Handler>([
  ['env', env],
  ['sudo', sudo],
  ['doas', prefix({ short: 'Cu' })],
  ['nice', prefix({ short: 'n', long: ['adjustment'] })],
  ['nohup', prefix({})],
  ['setsid', prefix({})],
  ['timeout', prefix({ short: 'sk', long: ['signal', 'kill-after'] }, 1)],
  [
    'xargs',
    prefix({
      short: 'adEILnPs',
      long: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
    }),
  ],
  ['stdbuf', prefix({ short: 'ioe', long: ['input', 'output', 'error'] })],
  ['ionice', prefix({ short: 'cnpPu', long: ['class', 'classdata', 'pid', 'pgid', 'uid'] })],
  ['chroot', prefix({ long: ['userspec', 'groups'] }, 1)],
  ['time', prefix({ short: 'fo', long: ['format', 'output'] })],
  ['exec', prefix({ short: 'a' })],
  ['builtin', prefix({})],
  ['command', command],
  ['taskset', taskset],
  ['watch', watch],
  ['find', find],
  ['su', su],
  ['eval', (args, v) => v.script(args.join(' '), 'eval')],
  [
    'trap',
    (args, v) => {
      const action = args[0];
      if (action !== undefined && !action.startsWith('-')) v.script(action, 'trap');
    },
  ],
  [
    'busybox',
    (args, v) => {
      if (args[0] === undefined || args[0].startsWith('-')) v.self();
      else v.exec(args);
    },
  ],
  [
    'node',
    interpreter({
      code: 'ep',
      attached: false,
      value: 'rC',
      longCode: ['eval', 'print'],
      longValue: ['require', 'import', 'conditions', 'loader', 'experimental-loader', 'title'],
    }),
  ],
  ['perl', interpreter({ code: 'eE', rest: 'IMmiFxCdDV', digits: 'l0' })],
  ['ruby', interpreter({ code: 'e', value: 'rIC', rest: 'EFxTWK', digits: '0' })],
  ['php', interpreter({ code: 'r', value: 'cdfz' })],
  ['lua', interpreter({ code: 'e', value: 'l' })],
  ['osascript', interpreter({ code: 'e', value: 'l' })],
  [
    'awk',
    interpreter({
      code: 'e',
      value: 'fvFiEl',
      fromFile: 'fE',
      longFromFile: ['file', 'exec'],
      longCode: ['source'],
      longValue: ['file', 'assign', 'field-separator', 'include', 'load', 'exec'],
      programOperand: true,
    }),
  ],
]);

const PYTHON = interpreter({ code: 'c', value: 'WX', stop: 'm' });
const SHELLS = /^(sh|bash|rbash|zsh|dash|ksh|mksh|pdksh|ash|yash|posh|fish|csh|tcsh)$/;

function handlerFor(name: string): Handler | undefined {
  const direct = HANDLERS.get(name);
  if (direct) return direct;
  if (SHELLS.test(name)) return shell;
  if (/^(python|pypy)[0-9.]*$/.test(name)) return PYTHON;
  if (/^(node(js)?|bun)[0-9.]*$/.test(name)) return HANDLERS.get('node');
  if (/^perl[0-9.]*$/.test(name)) return HANDLERS.get('perl');
  if (/^ruby[0-9.]*$/.test(name)) return HANDLERS.get('ruby');
  if (/^php[0-9.]*$/.test(name)) return HANDLERS.get('php');
  if (/^lua(jit)?[0-9.]*$/.test(name)) return HANDLERS.get('lua');
  if (/^[gmn]?awk$/.test(name)) return HANDLERS.get('awk');
  return undefined;
}

/** Shell reserved words and builtins that run nothing: not programs, so an allowlist need not name them. */
const SHELL_SYNTAX = new Set(
  [
    'if then else elif fi do done while until for in case esac select function { } ! [[ ]]',
    'cd export unset set shift exit return local readonly declare typeset true false : test [',
    'wait pwd echo printf read break continue trap command exec',
  ]
    .join(' ')
    .split(' '),
);

// ---------------------------------------------------------------------------------------------------------
// Shell scripts: a small lexer that finds every command position, and every substitution to look inside.

type Token = { kind: 'word'; text: string; plain: boolean } | { kind: 'op'; op: string };
interface Substitution {
  text: string;
  /** `${…}` and `$((…))`: they run nothing themselves but may hold a substitution. */
  expansion?: boolean;
}

const SEPARATORS = new Set([';', ';;', ';&', ';;&', '&', '&&', '|', '||', '|&', '\n', '(', ')']);
/** Words that may precede a command without being one. */
const COMMAND_PREFIX_WORDS = new Set(
  'if then else elif fi do done while until { } ! esac'.split(' '),
);
/** Longest first, so `;;&` wins over `;;` and `;`. */
const OPERATORS = ';;& &>> <<< <<- ;; ;& && || |& &> << <> <& >> >& >| ; & | ( ) < >'.split(' ');

/** Tokenizes shell text; the bodies of `$(…)`, backticks and `<(…)` go to `substitutions`. */
function lexShell(src: string, substitutions: Substitution[]): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  let plain = true;
  const endWord = (): void => {
    if (inWord) tokens.push({ kind: 'word', text: word, plain });
    word = '';
    inWord = false;
    plain = true;
  };
  const add = (text: string, isPlain: boolean): void => {
    word += text;
    inWord = true;
    if (!isPlain) plain = false;
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    const next = src[i + 1] ?? '';
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      endWord();
      i++;
    } else if (ch === '\n') {
      endWord();
      tokens.push({ kind: 'op', op: '\n' });
      i++;
    } else if (ch === '#' && !inWord) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === '\\') {
      if (next !== '\n') add(next, false);
      i += 2;
    } else if (ch === "'") {
      const end = indexOrEnd(src, "'", i + 1);
      add(src.slice(i + 1, end), false);
      i = end + 1;
    } else if (ch === '$' && next === "'") {
      const end = closingQuote(src, "'", i + 2);
      add(decodeEscapes(src.slice(i + 2, end)), false);
      i = end + 1;
    } else if (ch === '"') {
      i = lexDoubleQuoted(src, i + 1, substitutions, (text) => add(text, false));
    } else if (ch === '`') {
      const end = closingQuote(src, '`', i + 1);
      substitutions.push({ text: src.slice(i + 1, end).replace(/\\([`\\$])/g, '$1') });
      add('$(…)', false);
      i = end + 1;
    } else if (ch === '$' && next === '(') {
      i = lexDollarParen(src, i, substitutions, (text) => add(text, false));
    } else if (ch === '$' && next === '{') {
      const end = balancedEnd(src, i + 1, '{', '}');
      substitutions.push({ text: src.slice(i + 2, end), expansion: true });
      add(src.slice(i, end + 1), false);
      i = end + 1;
    } else if ((ch === '<' || ch === '>') && next === '(') {
      const end = balancedEnd(src, i + 1, '(', ')');
      substitutions.push({ text: src.slice(i + 2, end) });
      add(`${ch}(…)`, false);
      i = end + 1;
    } else {
      const op = ';&|()<>'.includes(ch) ? OPERATORS.find((o) => src.startsWith(o, i)) : undefined;
      if (op === undefined) {
        add(ch, true);
        i++;
        continue;
      }
      // `2>file`, `{fd}>file`: the word before a redirection is its file descriptor, not an argument.
      if ((op.startsWith('<') || op.startsWith('>')) && /^([0-9]+|\{\w+\})$/.test(word) && plain) {
        word = '';
        inWord = false;
      }
      endWord();
      tokens.push({ kind: 'op', op });
      i += op.length;
    }
  }
  endWord();
  return tokens;
}

function lexDoubleQuoted(
  src: string,
  start: number,
  substitutions: Substitution[],
  add: (text: string) => void,
): number {
  let i = start;
  let text = '';
  while (i < src.length && src[i] !== '"') {
    const ch = src[i] ?? '';
    const next = src[i + 1] ?? '';
    if (ch === '\\') {
      if ('$`"\\'.includes(next)) text += next;
      else if (next !== '\n') text += ch + next;
      i += 2;
    } else if (ch === '`') {
      const end = closingQuote(src, '`', i + 1);
      substitutions.push({ text: src.slice(i + 1, end).replace(/\\([`\\$"])/g, '$1') });
      text += '$(…)';
      i = end + 1;
    } else if (ch === '$' && next === '(') {
      i = lexDollarParen(src, i, substitutions, (t) => (text += t));
    } else if (ch === '$' && next === '{') {
      const end = balancedEnd(src, i + 1, '{', '}');
      substitutions.push({ text: src.slice(i + 2, end), expansion: true });
      text += src.slice(i, end + 1);
      i = end + 1;
    } else {
      text += ch;
      i++;
    }
  }
  add(text);
  return i + 1;
}

/** `$(…)` is a command substitution; `$((…))` is arithmetic, which runs nothing but may hold one. */
function lexDollarParen(
  src: string,
  start: number,
  substitutions: Substitution[],
  add: (text: string) => void,
): number {
  const end = balancedEnd(src, start + 1, '(', ')');
  const body = src.slice(start + 2, end);
  const arithmetic = body.startsWith('(') && body.endsWith(')');
  substitutions.push(arithmetic ? { text: body.slice(1, -1), expansion: true } : { text: body });
  add(arithmetic ? src.slice(start, end + 1) : '$(…)');
  return end + 1;
}

/** Index of the bracket closing the one at `open`, skipping quotes; the text's end when unbalanced. */
function balancedEnd(src: string, open: number, left: string, right: string): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') i++;
    else if (ch === "'") i = indexOrEnd(src, "'", i + 1);
    else if (ch === '"') i = closingQuote(src, '"', i + 1);
    else if (ch === left) depth++;
    else if (ch === right && --depth === 0) return i;
  }
  return src.length;
}

function indexOrEnd(src: string, needle: string, from: number): number {
  const at = src.indexOf(needle, from);
  return at < 0 ? src.length : at;
}

/** The closing quote at or after `from`, skipping backslash escapes. */
function closingQuote(src: string, quote: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === quote) return i;
  }
  return src.length;
}

/** The argv of each simple command in the token stream (assignments, redirections and keywords left out). */
function simpleCommands(tokens: readonly Token[]): string[][] {
  const commands: string[][] = [];
  let current: string[] = [];
  let redirectTarget = false;
  const flush = (): void => {
    if (current.length > 0) commands.push(current);
    current = [];
  };
  for (const token of tokens) {
    if (token.kind === 'op') {
      if (SEPARATORS.has(token.op)) {
        flush();
        redirectTarget = false;
      } else redirectTarget = true;
      continue;
    }
    if (redirectTarget) {
      redirectTarget = false;
      continue;
    }
    if (
      current.length === 0 &&
      (COMMAND_PREFIX_WORDS.has(token.text) || ASSIGNMENT.test(token.text))
    ) {
      continue;
    }
    if (token.plain && token.text.includes('{') && token.text.includes(',')) {
      current.push(...expandBraces(token.text));
    } else current.push(token.text);
  }
  flush();
  return commands;
}

/** Bash brace expansion (`{rm,-rf,x}`, `r{m,}`), bounded. */
function expandBraces(word: string, budget = { left: 64 }): string[] {
  const open = word.indexOf('{');
  if (open < 0 || budget.left <= 0) return [word];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < word.length; i++) {
    const ch = word[i];
    if (ch === '{') depth++;
    else if (ch === ',' && depth === 1) commas.push(i);
    else if (ch === '}' && --depth === 0) {
      if (commas.length === 0) break;
      const head = word.slice(0, open);
      const tail = word.slice(i + 1);
      const cuts = [open, ...commas, i];
      const out: string[] = [];
      for (let k = 0; k + 1 < cuts.length && budget.left > 0; k++) {
        budget.left--;
        const alternative = word.slice((cuts[k] ?? 0) + 1, cuts[k + 1]);
        out.push(...expandBraces(head + alternative + tail, budget));
      }
      return out;
    }
  }
  return [word];
}

/** Splits `env -S` text into words (quotes grouped, no expansion). */
function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/"((?:\\.|[^"\\])*)"|'([^']*)'|((?:\\.|[^\s"'\\])+)/g)) {
    words.push(decodeEscapes(m[1] ?? m[2] ?? m[3] ?? ''));
  }
  return words;
}

// ---------------------------------------------------------------------------------------------------------
// Interpreter code: string literals (`'…'`, `"…"`, `` `…` ``, triple quotes, `qx(…)`, `%x(…)`), escapes decoded.

function stringLiterals(code: string): string[] {
  const out: string[] = [];
  const quoteLike = /(?:\bq[qxw]?|%[qQwWx]?)([([{<|!/])/g;
  for (let m = quoteLike.exec(code); m; m = quoteLike.exec(code)) {
    const open = m[1] ?? '(';
    const close = { '(': ')', '[': ']', '{': '}', '<': '>' }[open] ?? open;
    const start = m.index + m[0].length;
    const end =
      close === open
        ? indexOrEnd(code, close, start)
        : balancedLiteralEnd(code, start, open, close);
    out.push(code.slice(start, end));
    quoteLike.lastIndex = end + 1;
  }
  let i = 0;
  while (i < code.length) {
    const ch = code[i] ?? '';
    if (ch !== "'" && ch !== '"' && ch !== '`') {
      i++;
      continue;
    }
    const triple = code.startsWith(ch.repeat(3), i) && ch !== '`';
    const quote = triple ? ch.repeat(3) : ch;
    let end = i + quote.length;
    while (end < code.length && !code.startsWith(quote, end)) end += code[end] === '\\' ? 2 : 1;
    out.push(decodeEscapes(code.slice(i + quote.length, Math.min(end, code.length))));
    i = end + quote.length;
  }
  return out;
}

function balancedLiteralEnd(code: string, start: number, open: string, close: string): number {
  let depth = 1;
  for (let i = start; i < code.length; i++) {
    if (code[i] === '\\') i++;
    else if (code[i] === open) depth++;
    else if (code[i] === close && --depth === 0) return i;
  }
  return code.length;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\x1b', a: '\x07' };

/** Decodes C-like escapes (`\x72`, `\u0072`, `\u{72}`, `\162`, `\n`) as interpreters and `$'…'` do. */
function decodeEscapes(text: string): string {
  return text.replace(
    /\\(x[0-9a-fA-F]{1,2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)/gs,
    (_, esc: string) => {
      let code: number | undefined;
      if (esc.startsWith('x')) code = parseInt(esc.slice(1), 16);
      else if (esc.startsWith('u{')) code = parseInt(esc.slice(2, -1), 16);
      else if (esc.length > 1 && (esc.startsWith('u') || esc.startsWith('U'))) {
        code = parseInt(esc.slice(1), 16);
      } else if (/^[0-7]+$/.test(esc)) code = parseInt(esc, 8);
      if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : '';
      return SIMPLE_ESCAPES[esc] ?? esc;
    },
  );
}
