// Owns the layout of the data folder ($LOOPSY_HOME): every file the daemon or CLI touches is named here.
import path from 'node:path';

export interface DataPaths {
  home: string;
  config: string;
  apiKey: string;
  database: string;
  logsDir: string;
  audit: string;
  daemonLog: string;
  state: string;
  lock: string;
  socket: string;
  relaySettings: string;
  relayData: string;
  e2eKey: string;
  /** The page `loopsy dashboard` opens (it forwards to the login link); the daemon deletes it once spent. */
  dashboardLoginPage: string;
}

export function dataPaths(home: string): DataPaths {
  const logsDir = path.join(home, 'logs');
  return {
    home,
    config: path.join(home, 'config.yaml'),
    apiKey: path.join(home, 'api-key'),
    database: path.join(home, 'loopsy.db'),
    logsDir,
    audit: path.join(logsDir, 'audit.jsonl'),
    daemonLog: path.join(logsDir, 'daemon.log'),
    state: path.join(home, 'daemon.json'),
    lock: path.join(home, 'daemon.lock'),
    socket: path.join(home, 'loopsyd.sock'),
    relaySettings: path.join(home, 'relay.json'),
    relayData: path.join(home, 'relay'),
    e2eKey: path.join(home, 'e2e-key.json'),
    dashboardLoginPage: path.join(home, 'dashboard-login.html'),
  };
}
