import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_PORT,
  loadConfig,
  resolveHome,
  writeConfig,
  defaultConfig,
} from './config.js';
import { dataPaths } from './paths.js';

const homes: string[] = [];
function tempHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-config-'));
  homes.push(home);
  return home;
}
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

describe('config', () => {
  it('uses the documented defaults when no file exists', () => {
    const config = loadConfig(tempHome());
    expect(config.server).toMatchObject({ port: DEFAULT_PORT, host: '127.0.0.1' });
    expect(config.execution.denylist).toEqual([
      'rm',
      'rmdir',
      'format',
      'mkfs',
      'dd',
      'shutdown',
      'reboot',
    ]);
    expect(config.execution.maxConcurrent).toBe(10);
    expect(config.execution.defaultTimeoutMs).toBe(300_000);
    expect(config.rateLimits).toEqual({ execute: 30, transfer: 10, context: 60, pair: 10 });
    expect(config.transfer.maxFileSize).toBe(1024 ** 3);
    expect(config.transfer.deniedPaths).toContain(path.join(os.homedir(), '.ssh'));
  });

  it('writes the file 0600 and reads back what it wrote', () => {
    const home = tempHome();
    const config = defaultConfig();
    config.server.port = 12345;
    writeConfig(home, config);
    const file = dataPaths(home).config;
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig(home).server.port).toBe(12345);
  });

  it('fills in missing blocks of a partial file', () => {
    const home = tempHome();
    fs.writeFileSync(dataPaths(home).config, 'server:\n  port: 4000\n');
    const config = loadConfig(home);
    expect(config.server.port).toBe(4000);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.rateLimits.execute).toBe(30);
  });

  it.each([
    ['server:\n  port: 70000\n', 'server.port'],
    ['server:\n  port: "abc"\n', 'server.port'],
    ['rateLimits:\n  execute: -1\n', 'rateLimits.execute'],
    ['execution:\n  denylist: rm\n', 'execution.denylist'],
    ['servr:\n  port: 1\n', 'servr'],
  ])('refuses %j and names the field', (yaml, field) => {
    const home = tempHome();
    fs.writeFileSync(dataPaths(home).config, yaml);
    let error: unknown;
    try {
      loadConfig(home);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(dataPaths(home).config);
    expect((error as Error).message).toContain(field);
  });

  it('refuses a file that is not YAML, naming the file', () => {
    const home = tempHome();
    fs.writeFileSync(dataPaths(home).config, 'server: [unclosed\n');
    expect(() => loadConfig(home)).toThrow(/config\.yaml is not valid YAML/);
  });

  it('resolves the data folder from --home, then LOOPSY_HOME, then ~/.loopsy', () => {
    expect(resolveHome('/a/b', { LOOPSY_HOME: '/c' })).toBe('/a/b');
    expect(resolveHome(undefined, { LOOPSY_HOME: '/c' })).toBe('/c');
    expect(resolveHome(undefined, {})).toBe(path.join(os.homedir(), '.loopsy'));
  });
});
