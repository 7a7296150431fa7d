// Owns preparing a data folder: config.yaml with defaults and an API key, both private.
import fs from 'node:fs';
import {
  configExists,
  dataPaths,
  defaultConfig,
  generateApiKey,
  loadConfig,
  readApiKey,
  writeApiKey,
  writeConfig,
} from '@loopsy/daemon';

export interface InitResult {
  home: string;
  config: string;
  apiKeyFile: string;
  created: boolean;
}

/** Writes a fresh config and key (overwriting only with `force`). */
export function initHome(home: string, force: boolean): InitResult {
  const paths = dataPaths(home);
  const exists = configExists(home) || fs.existsSync(paths.apiKey);
  if (exists && !force) {
    return { home, config: paths.config, apiKeyFile: paths.apiKey, created: false };
  }
  writeConfig(home, defaultConfig());
  writeApiKey(paths.apiKey, generateApiKey());
  return { home, config: paths.config, apiKeyFile: paths.apiKey, created: true };
}

/** Makes sure a folder can run a daemon: validates an existing config, creates what is missing. */
export function ensureHome(home: string): { initialized: boolean } {
  const paths = dataPaths(home);
  let initialized = false;
  if (!configExists(home)) {
    writeConfig(home, defaultConfig());
    initialized = true;
  } else {
    loadConfig(home);
  }
  if (readApiKey(paths.apiKey) === undefined) {
    writeApiKey(paths.apiKey, generateApiKey());
    initialized = true;
  }
  return { initialized };
}
