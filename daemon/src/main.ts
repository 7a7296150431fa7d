// Composition root of the daemon process: load config, take the folder lock, start, record state, stop cleanly.
import { loadConfig, resolveHome } from './config.js';
import { startDaemon, type RunningDaemon } from './server.js';
import {
  acquireDaemonLock,
  releaseDaemonLock,
  removeDaemonState,
  writeDaemonState,
} from './services/daemon-state.js';

export interface RunDaemonOptions {
  home?: string;
  port?: number;
  host?: string;
  /** Called once the daemon answers, e.g. to print where it listens. */
  onListening?: (daemon: RunningDaemon) => void | Promise<void>;
}

/** Runs a daemon for the data folder until SIGINT/SIGTERM; resolves when it has stopped. */
export async function runDaemon(opts: RunDaemonOptions = {}): Promise<void> {
  const home = resolveHome(opts.home);
  const config = loadConfig(home);
  acquireDaemonLock(home);
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon({
      home,
      config,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
    });
  } catch (err) {
    releaseDaemonLock(home);
    throw err;
  }
  writeDaemonState(home, {
    pid: process.pid,
    port: daemon.port,
    host: daemon.host,
    url: daemon.url,
    nodeId: daemon.services.identity.nodeId,
    version: daemon.services.version,
    startedAt: new Date(daemon.services.startedAt).toISOString(),
    ...(daemon.socket ? { socket: daemon.socket } : {}),
  });
  await opts.onListening?.(daemon);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void daemon
        .close()
        .finally(() => {
          removeDaemonState(home, process.pid);
          releaseDaemonLock(home);
        })
        .then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
