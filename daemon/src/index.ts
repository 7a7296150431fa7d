// Public surface of @loopsy/daemon for the CLI and tests: config, data folder, daemon lifecycle, audit reading.
export {
  ConfigError,
  ConfigSchema,
  DEFAULT_HOST,
  DEFAULT_PORT,
  configExists,
  defaultConfig,
  loadConfig,
  parseConfig,
  resolveHome,
  writeConfig,
  type Config,
} from './config.js';
export { dataPaths, type DataPaths } from './paths.js';
export { runDaemon, type RunDaemonOptions } from './main.js';
export { startDaemon, type RunningDaemon, type StartDaemonOptions } from './server.js';
export { openServices } from './services.js';
export {
  createContextInner,
  type Caller,
  type Context,
  type Services,
  type Transport,
} from './context.js';
export { appRouter, type AppRouter } from './router/index.js';
export { createCallerFactory } from './trpc.js';
export { generateApiKey, readApiKey, writeApiKey } from './services/owner-key.js';
export {
  AlreadyRunning,
  isProcessAlive,
  liveDaemonState,
  readDaemonState,
  type DaemonState,
} from './services/daemon-state.js';
export { readAuditTail, parseAuditLines, type AuditEntry } from './services/audit-log.js';
export { writePrivateFileAtomic } from './services/private-files.js';
export { findOnPath } from './services/terminal/agent-presets.js';
export { VERSION } from './version.js';
export { findPhoneAppBuild } from './phone-app.js';
