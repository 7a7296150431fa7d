// Owns the public surface of @loopsy/relay/core: the runtime-neutral relay logic any host reuses.
export { fromBase64Url, toBase64Url } from './base64url.js';
export {
  BEARER_PREFIX,
  PROTOCOL_V1,
  bearerFromProtocols,
  bearerProtocols,
  selectProtocol,
} from './bearer.js';
export {
  CloseCode,
  closeReason,
  isApplicationCloseCode,
  type CloseCodeName,
  type CloseCodeValue,
} from './close-codes.js';
export {
  ControlErrorCode,
  ControlErrorSchema,
  DaemonToRelaySchema,
  DialSchema,
  HelloSchema,
  MAX_CONTROL_FRAME,
  MAX_DATA_FRAME,
  PairCreateSchema,
  PairCreatedSchema,
  PhoneAddSchema,
  PhoneAddedSchema,
  PhoneRemoveSchema,
  PhoneRemovedSchema,
  PingSchema,
  PongSchema,
  RelayToDaemonSchema,
  parseControlFrame,
  utf8ByteLength,
  type ControlErrorCodeValue,
  type DaemonToRelay,
  type ParseResult,
  type RelayToDaemon,
} from './protocol.js';
export {
  FixedWindowRateLimiter,
  RATE_LIMITS,
  type RateLimitBucket,
  type RateLimitRule,
  type RateLimiterOptions,
} from './rate-limit.js';
export {
  ID_PATTERN,
  constantTimeEqual,
  hashSecret,
  randomBytes,
  randomId,
  randomSecret,
  secretMatches,
} from './secrets.js';
export {
  createSplice,
  type Splice,
  type SpliceCloseEvent,
  type SpliceFrame,
  type SpliceOptions,
  type SpliceSide,
  type SpliceSocket,
  type SpliceTimers,
} from './splice.js';
export {
  DEFAULT_PAIR_TTL_SECONDS,
  MAX_PAIR_TTL_SECONDS,
  createPairToken,
  decodePairToken,
  verifyPairToken,
  type PairToken,
  type PairTokenPayload,
  type VerifyPairTokenResult,
} from './tokens.js';
