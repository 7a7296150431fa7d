import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.js';
import { CommandDenied } from '../errors.js';
import { checkCommand, MAX_NESTING, type CommandPolicy } from './command-policy.js';

const defaults: CommandPolicy = { denylist: defaultConfig().execution.denylist };

function verdict(argv: readonly string[], policy: CommandPolicy = defaults): string {
  try {
    checkCommand(argv, policy);
    return 'allowed';
  } catch (err) {
    if (err instanceof CommandDenied) return err.message;
    throw err;
  }
}

// Each of these would run a denied program; all must be refused.
const bypasses: Array<[string, string[]]> = [
  ['plain', ['rm', '-rf', 'x']],
  ['absolute path', ['/bin/rm', '-rf', 'x']],
  ['relative path', ['./rm', 'x']],
  ['upper case', ['/usr/bin/RM', 'x']],
  ['.exe suffix', ['RM.exe', 'x']],
  ['denied family member', ['mkfs.ext4', '/dev/sdz1']],
  ['dd', ['dd', 'if=/dev/zero', 'of=/dev/sdz']],
  ['env', ['env', 'rm', 'x']],
  ['env flags and assignments', ['env', '-i', '-u', 'HOME', 'FOO=1', 'BAR=2', 'rm', 'x']],
  ['env -S', ['env', '-S', 'rm -rf x']],
  ['env --split-string', ['env', '--split-string=sudo rm x']],
  ['sudo', ['sudo', 'rm', 'x']],
  ['sudo -u user', ['sudo', '-u', 'root', '-E', 'rm', 'x']],
  ['sudo clustered flags', ['sudo', '-Eu', 'root', 'FOO=1', '/bin/rm', 'x']],
  ['doas', ['doas', '-u', 'root', 'rm', 'x']],
  ['nice -n', ['nice', '-n', '10', 'rm', 'x']],
  ['nice -N', ['nice', '-10', 'rm', 'x']],
  ['nohup', ['nohup', 'rm', 'x']],
  ['timeout flags and duration', ['timeout', '-s', 'KILL', '-k', '5', '10s', 'rm', 'x']],
  ['xargs flags', ['xargs', '-0', '-n', '1', '-P', '4', 'rm']],
  ['find -exec', ['find', '.', '-name', '*.tmp', '-exec', 'rm', '{}', ';']],
  ['find -execdir +', ['find', '.', '-execdir', '/bin/rm', '{}', '+']],
  ['find -ok', ['find', '/', '-ok', 'rmdir', '{}', ';']],
  ['command', ['command', 'rm', 'x']],
  ['exec', ['exec', '-a', 'name', 'rm', 'x']],
  ['builtin', ['builtin', 'rm']],
  ['time', ['time', '-p', 'rm', 'x']],
  ['stdbuf', ['stdbuf', '-o', '0', 'rm', 'x']],
  ['ionice', ['ionice', '-c', '3', 'rm', 'x']],
  ['chroot', ['chroot', '--userspec=1:1', '/', 'rm', 'x']],
  ['setsid', ['setsid', '-f', 'rm', 'x']],
  ['busybox', ['busybox', 'rm', 'x']],
  ['taskset', ['taskset', '-c', '0', 'rm', 'x']],
  ['watch', ['watch', '-n', '1', 'rm x']],
  ['su -c', ['su', 'root', '-c', 'rm x']],
  ['nested wrappers', ['sudo', 'env', 'A=1', 'nice', 'timeout', '5', 'sh', '-c', 'xargs rm']],
  ['sh -c', ['sh', '-c', 'rm -rf x']],
  ['bash -lc after another command', ['bash', '-lc', 'echo hi; rm -rf x']],
  ['bash -ec with &&', ['bash', '-ec', 'ls && rm x']],
  ['bash -o option before -c', ['bash', '-o', 'errexit', '-c', 'rm x']],
  ['/bin/dash -c', ['/bin/dash', '-c', 'true\nrm x']],
  ['ksh -c pipe into xargs', ['ksh', '-c', 'ls | xargs rm']],
  ['fish --command', ['fish', '--command=rm x']],
  ['$( ) substitution', ['sh', '-c', 'echo $(rm x)']],
  ['backticks', ['sh', '-c', 'echo `rm x`']],
  ['substitution inside double quotes', ['sh', '-c', 'echo "$(rm x)"']],
  ['substitution inside ${...}', ['bash', '-c', 'echo ${X:-$(rm x)}']],
  ['substitution inside arithmetic', ['bash', '-c', 'echo $((1 + $(rm x)))']],
  ['process substitution', ['zsh', '-c', 'cat <(rm x)']],
  ['assignment prefix', ['sh', '-c', 'X=1 Y=2 rm x']],
  ['braces group', ['sh', '-c', '{ rm x; }']],
  ['subshell', ['sh', '-c', '(rm x)']],
  ['if/then', ['sh', '-c', 'if true; then rm x; fi']],
  ['while/do', ['sh', '-c', 'while false; do rmdir x; done']],
  ['negation', ['sh', '-c', '! rm x']],
  ['function body', ['bash', '-c', 'f() { rm "$@"; }; f x']],
  ['quotes inside the name', ['sh', '-c', "'r'm x"]],
  ['empty quotes inside the name', ['sh', '-c', 'r""m x']],
  ['backslash inside the name', ['sh', '-c', 'r\\m x']],
  ['ANSI-C quoting', ['bash', '-c', "$'\\x72\\x6d' x"]],
  ['brace expansion', ['bash', '-c', '{rm,-rf,x}']],
  ['brace expansion inside a word', ['bash', '-c', 'r{m,} x']],
  ['$IFS as space', ['sh', '-c', 'rm${IFS}-rf${IFS}x']],
  ['empty $@ inside the name', ['bash', '-c', 'r$@m x']],
  ['glob for the name', ['sh', '-c', '/bin/r? -rf x']],
  ['redirection before the command', ['sh', '-c', '2>/dev/null rm x']],
  ['comment then newline', ['sh', '-c', 'echo ok # rm x\nrm x']],
  ['shell in shell in shell', ['sh', '-c', 'sh -c "bash -c \'rm x\'"']],
  ['eval', ['sh', '-c', 'eval "rm x"']],
  ['trap', ['sh', '-c', 'trap "rm x" EXIT']],
  ['python -c os.system', ['python3', '-c', 'import os; os.system("rm -rf x")']],
  ['python subprocess list', ['python', '-c', 'import subprocess; subprocess.run(["rm", "x"])']],
  ['python escaped literal', ['python3.12', '-c', 'import os; os.system("\\x72m x")']],
  ['python -c attached', ['python3', '-Bcimport os; os.system("rm x")']],
  ['node -e', ['node', '-e', 'require("child_process").execSync("rm -rf x")']],
  ['node --eval=', ['node', '--eval=require("child_process").execFileSync(`rm`, ["x"])']],
  ['node -p', ['node', '-p', "require('child_process').spawnSync('rm')"]],
  ['perl -e system', ['perl', '-e', 'system("rm -rf x")']],
  ['perl -lne qx', ['perl', '-lne', 'qx(rm $_)']],
  ['perl -E', ['perl', '-E', 'system "rmdir", "x"']],
  ['ruby backticks', ['ruby', '-e', '`rm -rf x`']],
  ['ruby %x', ['ruby', '-e', '%x(rm x)']],
  ['awk system()', ['awk', 'BEGIN { system("rm x") }']],
  ['shutdown via sudo', ['sudo', '-n', 'shutdown', '-h', 'now']],
];

// Each of these is harmless (or runs an allowed program) and must pass the default denylist.
const benign: Array<[string, string[]]> = [
  ['ls -la', ['ls', '-la']],
  ['rm as an argument to echo', ['echo', 'rm']],
  ['rm as a grep pattern', ['grep', '-r', 'rm', '.']],
  // git is the program; `git rm` only touches tracked files and is git's own business.
  ['git rm', ['git', 'rm', 'file.txt']],
  ['npm run format', ['npm', 'run', 'format']],
  ['a name that merely starts like rm', ['rmate', 'file']],
  ['sh -c without denied commands', ['sh', '-c', 'ls -la | grep rm && echo "rm is fine here"']],
  ['rm inside a quoted string', ['sh', '-c', 'echo "; rm x"']],
  ['rm inside a comment', ['sh', '-c', 'ls # then rm x']],
  ['rm as a redirection target', ['sh', '-c', 'ls > rm']],
  ['command -v lookup', ['sh', '-c', 'command -v rm >/dev/null && echo yes']],
  ['for loop over words', ['sh', '-c', 'for f in rm rmdir; do echo $f; done']],
  ['arithmetic', ['bash', '-c', 'echo $((1 + 2))']],
  ['find without -exec', ['find', '.', '-name', '*.rm', '-print']],
  ['xargs echo', ['xargs', '-n', '1', 'echo']],
  ['env with assignments', ['env', 'FOO=1', 'ls']],
  ['sudo -u', ['sudo', '-u', 'root', 'ls']],
  ['timeout', ['timeout', '5', 'sleep', '1']],
  ['python one-liner', ['python3', '-c', 'print(1 + 1)']],
  ['node one-liner', ['node', '-e', 'console.log("hello")']],
  ['perl one-liner', ['perl', '-ne', 'print if /x/']],
  ['a script file', ['sh', 'build.sh']],
  ['awk with a program file and a denied word as data', ['awk', '--file', 'prog.awk', 'rm']],
];

describe('checkCommand with the default denylist', () => {
  it('has at least 30 bypass attempts in its table', () => {
    expect(bypasses.length).toBeGreaterThanOrEqual(30);
  });

  it.each(bypasses)('denies %s', (_name, argv) => {
    expect(verdict(argv)).toMatch(/is denied by execution\.denylist/);
  });

  it.each(benign)('allows %s', (_name, argv) => {
    expect(verdict(argv)).toBe('allowed');
  });

  it('names the rule, and where the command was found', () => {
    expect(verdict(['rm', 'x'])).toBe(
      'Command "rm" is denied by execution.denylist. Change execution.denylist in config.yaml if it should be allowed.',
    );
    expect(verdict(['sh', '-c', 'rm -rf x'])).toMatch(
      /^Command "rm" is denied by execution\.denylist \(found inside "sh -c …"\)/,
    );
    expect(verdict(['sudo', 'bash', '-c', 'echo $(rm x)'])).toMatch(
      /\(found inside "sudo … bash -c … \$\(…\) …"\)/,
    );
    expect(verdict(['python3', '-c', 'os.system("rm x")'])).toMatch(
      /\(found inside "python3 -c …"\)/,
    );
  });

  it('throws CommandDenied, which maps to FORBIDDEN', () => {
    let caught: unknown;
    try {
      checkCommand(['/sbin/reboot'], defaults);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CommandDenied);
    expect((caught as CommandDenied).code).toBe('FORBIDDEN');
  });

  it(`denies commands nested more than ${MAX_NESTING} levels deep`, () => {
    let script = 'ls';
    for (let i = 0; i < MAX_NESTING + 1; i++) script = `sh -c ${shellQuote(script)}`;
    expect(verdict(['sh', '-c', script])).toMatch(/too deeply nested/);
    let shallow = 'ls';
    for (let i = 0; i < 3; i++) shallow = `sh -c ${shellQuote(shallow)}`;
    expect(verdict(['sh', '-c', shallow])).toBe('allowed');
  });

  it('stays bounded on pathological input', () => {
    expect(verdict(['sh', '-c', '${'.repeat(50_000)])).toMatch(/too deeply nested/);
    expect(verdict(['sh', '-c', `${'*a'.repeat(5000)}b x`])).toBe('allowed');
    expect(verdict(['sh', '-c', '/bin/*[m]'])).toMatch(/"rm" is denied/);
    expect(verdict(['python3', '-c', '%('.repeat(50_000)])).toBe('allowed');
    expect(verdict(['bash', '-c', `{${'a,'.repeat(5000)}rm} x`])).toBe('allowed');
  });

  it('flags string literals naming a denied command even when they are only printed', () => {
    // The heuristic cannot tell a printed string from an executed one; this false positive is accepted.
    expect(verdict(['python3', '-c', 'print("rm")'])).toMatch(/denied/);
  });

  it('matches denylist entries given as paths or in another case', () => {
    const policy = { denylist: ['/usr/bin/Curl'] };
    expect(verdict(['curl', 'x'], policy)).toMatch(/"curl" is denied/);
    expect(verdict(['rm', 'x'], policy)).toBe('allowed');
  });

  it('passes anything when the denylist is empty and there is no allowlist', () => {
    expect(verdict(['rm', '-rf', 'x'], { denylist: [] })).toBe('allowed');
  });
});

describe('checkCommand with an allowlist', () => {
  const policy: CommandPolicy = {
    denylist: defaults.denylist,
    allowlist: ['ls', 'git', 'python3'],
  };

  it.each<[string, string[]]>([
    ['a listed program', ['ls', '-la']],
    ['a listed program by path', ['/bin/ls']],
    ['a wrapper around a listed program', ['nice', '-n', '5', 'ls']],
    ['a script of listed programs and shell builtins', ['sh', '-c', 'cd /tmp && ls; git status']],
    ['an interpreter that is listed, with harmless literals', ['python3', '-c', 'print("hi")']],
  ])('allows %s', (_name, argv) => {
    expect(verdict(argv, policy)).toBe('allowed');
  });

  it.each<[string, string[]]>([
    ['an unlisted program', ['cat', 'x']],
    ['an unlisted program after a listed one in a script', ['sh', '-c', 'ls; cat x']],
    ['an unlisted program behind a wrapper', ['env', 'A=1', 'cat', 'x']],
    ['a command the policy cannot read', ['sh', '-c', '$CMD x']],
    ['a shell running a script file', ['sh', 'build.sh']],
    ['find, which is itself a program', ['find', '.', '-exec', 'ls', ';']],
    ['a builtin name used as a program', ['echo', 'hi']],
    ['an unlisted interpreter', ['node', '-e', '1']],
  ])('denies %s', (_name, argv) => {
    expect(verdict(argv, policy)).toMatch(
      /is not in execution\.allowlist( \(found inside "[^"]*"\))?; allowed: ls, git, python3\.$/,
    );
  });

  it('names the program as written', () => {
    expect(verdict(['sh', '-c', '$CMD x'], policy)).toMatch(/^Command "\$CMD" is not in/);
  });

  it('still applies the denylist inside a listed interpreter', () => {
    expect(verdict(['python3', '-c', 'import os; os.system("rm x")'], policy)).toMatch(
      /"rm" is denied by execution\.denylist/,
    );
  });
});

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
