// Owns this machine's stable identity: a node id created once and kept in the database across restarts.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';

export interface NodeIdentity {
  nodeId: string;
  hostname: string;
  platform: NodeJS.Platform;
  arch: string;
}

export function loadNodeIdentity(db: Db, hostnameOverride?: string): NodeIdentity {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('node_id') as
    { value: string } | undefined;
  let nodeId = row?.value;
  if (nodeId === undefined) {
    nodeId = randomUUID();
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('node_id', nodeId);
  }
  return {
    nodeId,
    hostname: hostnameOverride ?? os.hostname(),
    platform: process.platform,
    arch: process.arch,
  };
}
