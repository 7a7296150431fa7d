// Owns building the service graph for one data folder, and tearing it down. Used by main.ts and by tests.
import os from 'node:os';
import { inheritedEnvironment, type Config } from './config.js';
import type { Services } from './context.js';
import { dataPaths } from './paths.js';
import { AuditLog } from './services/audit-log.js';
import { ConfigFile } from './services/config-file.js';
import type { NodeIdentity } from './services/node-identity.js';
import { CredentialStore } from './services/credential-store.js';
import { JobManager } from './services/exec/job-manager.js';
import { FileService } from './services/files/file-service.js';
import { openDatabase } from './services/database.js';
import { loadNodeIdentity } from './services/node-identity.js';
import { OwnerKeyVerifier } from './services/owner-key.js';
import { ensurePrivateDir } from './services/private-files.js';
import { RateLimiter } from './services/rate-limiter.js';
import { TerminalManager } from './services/terminal/terminal-manager.js';
import { loadOrCreateStaticKey } from './services/e2e-keys.js';
import { PhoneRegistry } from './services/phone-registry.js';
import { RelayService } from './services/relay-service.js';
import { DashboardLogins } from './services/dashboard-logins.js';
import { AutoApproveRequests } from './services/terminal/auto-approve-requests.js';
import { VERSION } from './version.js';
import { ContextStore } from './services/context-store.js';
import { messagingHost } from './services/messages/address.js';
import { MessageService } from './services/messages/message-service.js';
import { TaskQueue } from './services/messages/task-queue.js';

declare module './context.js' {
  interface Services {
    version: string;
    startedAt: number;
    home: string;
    identity: NodeIdentity;
    config: ConfigFile;
    ownerKey: OwnerKeyVerifier;
    credentials: CredentialStore;
    audit: AuditLog;
    rateLimiter: RateLimiter;
    terminals: TerminalManager;
    autoApprove: AutoApproveRequests;
    dashboardLogins: DashboardLogins;
    relay: RelayService;
    jobs: JobManager;
    files: FileService;
    context: ContextStore;
    messages: MessageService;
    taskQueue: TaskQueue;
    now: () => number;
  }
}

export interface OpenServicesOptions {
  home: string;
  config: Config;
  now?: () => number;
  /** Terminal reaping interval; 0 turns the timer off (tests sweep by hand). */
  sweepIntervalMs?: number;
  /** Lines for the person at the laptop (auto-approve requests); default: the daemon's stdout. */
  notify?: (line: string) => void;
}

export interface OpenedServices {
  services: Services;
  close(): void;
}

export function openServices(opts: OpenServicesOptions): OpenedServices {
  const paths = dataPaths(opts.home);
  const now = opts.now ?? Date.now;
  ensurePrivateDir(paths.home);
  const db = openDatabase(paths.database);
  const audit = new AuditLog({
    file: paths.audit,
    maxBytes: opts.config.audit.maxBytes,
    maxFiles: opts.config.audit.maxFiles,
  });
  const config = new ConfigFile(paths.config, opts.config);
  const terminals = new TerminalManager({
    config: () => config.current().terminal,
    execution: () => config.current().execution,
    env: inheritedEnvironment,
    home: paths.home,
    now,
    ...(opts.sweepIntervalMs !== undefined ? { sweepIntervalMs: opts.sweepIntervalMs } : {}),
  });
  const notify = opts.notify ?? ((line: string) => void process.stdout.write(`loopsy: ${line}\n`));
  const autoApprove = new AutoApproveRequests({ terminals, now, notify });
  const credentials = new CredentialStore(db, now);
  const rateLimiter = new RateLimiter(now);
  const dashboardLogins = new DashboardLogins({
    credentials,
    rateLimiter,
    loginPage: paths.dashboardLoginPage,
    now,
  });
  const jobs = new JobManager({
    config: () => config.current().execution,
    env: inheritedEnvironment,
    now,
  });
  const relay = new RelayService({
    settingsFile: paths.relaySettings,
    staticKeys: loadOrCreateStaticKey(paths.e2eKey),
    phones: new PhoneRegistry(db, now),
    now,
  });
  const identity = loadNodeIdentity(db, opts.config.server.hostname);
  const context = new ContextStore({
    db,
    now,
    limits: () => config.current().context,
    changeLogEvents: opts.config.context.changeLogEvents,
    // Tests that turn timers off (0) sweep by hand.
    ...(opts.sweepIntervalMs === 0 ? { sweepIntervalMs: 0 } : {}),
  });
  context.start();
  const messages = new MessageService({
    store: context,
    host: messagingHost(identity.hostname),
    now,
    config: () => config.current().messages,
  });
  const taskQueue = new TaskQueue({
    store: context,
    messages,
    now,
    ttlSeconds: () => config.current().messages.taskTtlSeconds,
  });
  const files = new FileService({
    settings: () => config.current().transfer,
    dataFolder: paths.home,
    userHome: os.homedir(),
    now,
  });
  const services: Services = {
    version: VERSION,
    startedAt: now(),
    home: paths.home,
    identity,
    config,
    ownerKey: new OwnerKeyVerifier(paths.apiKey),
    credentials,
    audit,
    rateLimiter,
    terminals,
    autoApprove,
    dashboardLogins,
    relay,
    jobs,
    files,
    context,
    messages,
    taskQueue,
    now,
  };
  return {
    services,
    close() {
      relay.stop();
      dashboardLogins.close();
      autoApprove.close();
      terminals.close();
      jobs.close();
      files.close();
      audit.close();
      context.close();
      db.close();
    },
  };
}
