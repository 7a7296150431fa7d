// Owns configuration: the only reader of process.env, the zod schema of config.yaml, and its loading/writing.
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { dataPaths } from './paths.js';
import { readFileIfExists, writePrivateFileAtomic } from './services/private-files.js';

export const DEFAULT_PORT = 19532;
export const DEFAULT_HOST = '127.0.0.1';

const userHome = os.homedir();

const PortSchema = z.number().int().min(0).max(65535);

/** An entry of transfer.allowedPaths / deniedPaths: absolute, or under the user's home with `~/`. */
const TransferPathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (p) => path.isAbsolute(p) || p === '~' || p.startsWith('~/'),
    'must be an absolute path or start with ~/',
  );

/** Credential stores of common developer tools: copying one off the machine hands over an account. */
const DEFAULT_DENIED_PATHS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.kube',
  '.docker/config.json',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.password-store',
  '.local/share/keyrings',
  'Library/Keychains',
  '.loopsy',
].map((p) => path.join(userHome, p));

export const ConfigSchema = z.strictObject({
  server: z
    .strictObject({
      port: PortSchema.default(DEFAULT_PORT),
      host: z.string().min(1).default(DEFAULT_HOST),
      hostname: z.string().min(1).max(253).optional(),
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .default(2 * 1024 * 1024),
      /**
       * Host names (besides IP addresses and localhost) the TCP port answers to. Anything else is refused, so
       * a web page cannot reach the daemon through a name it points at 127.0.0.1 (DNS rebinding).
       */
      allowedHosts: z
        .array(
          z
            .string()
            .min(1)
            .max(253)
            .regex(/^[A-Za-z0-9.-]+$/, 'host names use letters, digits, dots and dashes'),
        )
        .max(100)
        .default([]),
    })
    .prefault({}),
  execution: z
    .strictObject({
      denylist: z
        .array(z.string().min(1))
        .default(['rm', 'rmdir', 'format', 'mkfs', 'dd', 'shutdown', 'reboot']),
      allowlist: z.array(z.string().min(1)).optional(),
      maxConcurrent: z.number().int().min(1).max(1000).default(10),
      defaultTimeoutMs: z.number().int().min(1).default(300_000),
      maxOutputBytes: z
        .number()
        .int()
        .min(1024)
        .default(8 * 1024 * 1024),
    })
    .prefault({}),
  terminal: z
    .strictObject({
      bufferBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(256 * 1024 * 1024)
        .default(2 * 1024 * 1024),
      scrollbackLines: z.number().int().min(0).max(100_000).default(1000),
      idleReapSeconds: z
        .number()
        .int()
        .min(1)
        .default(24 * 3600),
      exitedGraceSeconds: z.number().int().min(0).default(300),
      maxSessions: z.number().int().min(1).max(1000).default(64),
    })
    .prefault({}),
  transfer: z
    .strictObject({
      /** Folders the files procedures may read and write (real paths compared by segment; `~/` allowed). */
      allowedPaths: z.array(TransferPathSchema).max(100).default([userHome]),
      /**
       * Never shared, even inside an allowed folder (deny wins). The defaults are credentials that open other
       * systems; the data folder ($LOOPSY_HOME) is always denied on top of this list. See docs/security.md.
       */
      deniedPaths: z.array(TransferPathSchema).max(1000).default(DEFAULT_DENIED_PATHS),
      maxFileSize: z
        .number()
        .int()
        .min(1)
        .default(1024 * 1024 * 1024),
    })
    .prefault({}),
  rateLimits: z
    .strictObject({
      execute: z.number().int().min(1).default(30),
      transfer: z.number().int().min(1).default(10),
      context: z.number().int().min(1).default(60),
      pair: z.number().int().min(1).default(10),
    })
    .prefault({}),
  context: z
    .strictObject({
      /** Live entries the store holds; a write of a new key beyond it is refused until some are deleted. */
      maxEntries: z.number().int().min(1).max(1_000_000).default(10_000),
      /** Change events kept in memory for `context.onChange` resumption (also bounded to 32 MiB of values). */
      changeLogEvents: z.number().int().min(10).max(100_000).default(1000),
    })
    .prefault({}),
  messages: z
    .strictObject({
      /** Lifetime of inbox and outbox entries (the reference's 3600 s). */
      ttlSeconds: z
        .number()
        .int()
        .min(1)
        .max(365 * 86400)
        .default(3600),
      /** Lifetime of ack keys and read receipts (the reference's 7200 s). */
      ackTtlSeconds: z
        .number()
        .int()
        .min(1)
        .max(365 * 86400)
        .default(7200),
      /** Lifetime of a `task:<id>` record, renewed at each state change. */
      taskTtlSeconds: z
        .number()
        .int()
        .min(1)
        .max(365 * 86400)
        .default(86400),
    })
    .prefault({}),
  audit: z
    .strictObject({
      maxBytes: z
        .number()
        .int()
        .min(4096)
        .default(10 * 1024 * 1024),
      maxFiles: z.number().int().min(1).max(100).default(5),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
/**
 * Spelled out (not derived from the schema) so the router's public type stays free of config internals;
 * the rate-limit middleware indexes config.rateLimits with it, so a category without a limit fails to compile.
 */
export type RateCategory = 'execute' | 'transfer' | 'context' | 'pair';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The data folder: --home wins, then LOOPSY_HOME, then ~/.loopsy. */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env['LOOPSY_HOME'] ?? path.join(userHome, '.loopsy');
  return path.resolve(chosen);
}

/** The environment handed to programs the daemon starts (shells, commands). */
export function inheritedEnvironment(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Nested agent guards would make a spawned Claude Code refuse to start.
    if (v === undefined || k === 'CLAUDECODE' || k === 'CLAUDE_CODE_ENTRY_POINT') continue;
    out[k] = v;
  }
  return out;
}

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

export function parseConfig(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = YAML.parse(text) ?? {};
  } catch (err) {
    throw new ConfigError(
      `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}. Fix the file or move it away and run \`loopsy init\`.`,
    );
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = first && first.path.length > 0 ? first.path.join('.') : '(top level)';
    const extra = first?.code === 'unrecognized_keys' ? ` (${first.keys.join(', ')})` : '';
    throw new ConfigError(
      `Invalid config in ${file}: field "${field}"${extra}: ${first?.message ?? 'invalid'}. Fix that field and start again.`,
    );
  }
  return parsed.data;
}

/** Reads config.yaml; a missing file yields the defaults (the daemon runs on a fresh folder). */
export function loadConfig(home: string): Config {
  const file = dataPaths(home).config;
  const text = readFileIfExists(file);
  if (text === undefined) return defaultConfig();
  return parseConfig(text, file);
}

export function configExists(home: string): boolean {
  return readFileIfExists(dataPaths(home).config) !== undefined;
}

export function writeConfig(home: string, config: Config): void {
  const header = '# Loopsy daemon configuration. Validated on start; see docs/architecture.md.\n';
  writePrivateFileAtomic(dataPaths(home).config, header + YAML.stringify(config));
}
