// Test helpers shared by every package's tests: temporary data folders and daemons on port 0.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, writeConfig, type Config } from '../config.js';
import { dataPaths } from '../paths.js';
import { startDaemon, type RunningDaemon } from '../server.js';
import { generateApiKey, writeApiKey } from '../services/owner-key.js';

export interface TempHome {
  home: string;
  apiKey: string;
  cleanup(): void;
}

/** A fresh data folder with a default config (patched by `edit`) and an API key. */
export function makeTempHome(edit?: (config: Config) => void): TempHome {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-test-'));
  const config = defaultConfig();
  edit?.(config);
  writeConfig(home, config);
  const apiKey = generateApiKey();
  writeApiKey(dataPaths(home).apiKey, apiKey);
  return { home, apiKey, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export interface TestDaemon extends TempHome {
  daemon: RunningDaemon;
  url: string;
  stop(): Promise<void>;
}

/** A real daemon on 127.0.0.1 port 0 in a fresh folder; `stop` closes it and removes the folder. */
export async function startTestDaemon(edit?: (config: Config) => void): Promise<TestDaemon> {
  const temp = makeTempHome(edit);
  const config = defaultConfig();
  edit?.(config);
  const daemon = await startDaemon({ home: temp.home, config, port: 0, host: '127.0.0.1' });
  return {
    ...temp,
    daemon,
    url: daemon.url,
    async stop() {
      await daemon.close();
      temp.cleanup();
    },
  };
}
export { makeShareTree, type ShareTree } from './file-tree.js';
