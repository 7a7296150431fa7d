// Owns the public surface of @loopsy/relay/node: the relay host for Node, embeddable or standalone.
export {
  createRelayHost,
  type RelayHost,
  type RelayHostOptions,
  type RelayStats,
} from './relay-host.js';
export {
  DEFAULT_RELAY_HOST,
  DEFAULT_RELAY_PORT,
  startRelayServer,
  type RelayServer,
  type RelayServerOptions,
} from './relay-server.js';
export {
  RELAY_DB_FILE,
  RELAY_KEY_FILE,
  openRelayStore,
  type RelayStore,
  type RelayStoreOptions,
} from './store.js';
