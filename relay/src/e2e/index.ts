// Owns the public surface of @loopsy/relay/e2e: the end-to-end channel phone and daemon run through the relay.
export { E2EError, type E2EErrorCode } from './errors.js';
export { Initiator, PROTOCOL_NAME, Responder } from './handshake.js';
export {
  CONNECT_PSK,
  fromBase64Url,
  generateKeyPair,
  keyPairFromPrivate,
  pairingPsk,
  PROLOGUE,
  toBase64Url,
  type KeyPair,
} from './keys.js';
export { SecureChannel, type SecureChannelOptions } from './secure-channel.js';
