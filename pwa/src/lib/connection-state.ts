// Owns the connection indicator's state machine: what the app says about its link to the laptop.

/** What the connection indicator shows. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export type ConnectionEvent =
  /** A subscription started or a call came back: the tunnel carries traffic. */
  | { type: 'started' }
  /** The SDK's socket changed state (tRPC wsLink: idle, connecting, pending = open). */
  | { type: 'socket'; state: 'idle' | 'connecting' | 'pending' }
  /** The subscription failed for good (e.g. the session is gone, the phone was revoked). */
  | { type: 'failed' }
  /** The device's own network went away or came back (online/offline events). */
  | { type: 'network'; online: boolean }
  /** A liveness probe got no answer in time (phone woke up on a dead socket). */
  | { type: 'stalled' };

export function nextConnectionState(
  state: ConnectionState,
  event: ConnectionEvent,
): ConnectionState {
  switch (event.type) {
    case 'started':
      return 'connected';
    case 'socket':
      if (event.state === 'pending') return 'connected';
      if (event.state === 'connecting')
        return state === 'connecting' ? 'connecting' : 'reconnecting';
      return state;
    case 'failed':
      return 'offline';
    case 'network':
      if (!event.online) return 'offline';
      return state === 'offline' ? 'reconnecting' : state;
    case 'stalled':
      return state === 'connected' ? 'reconnecting' : state;
  }
}

/** The indicator's text: the state, and the last round-trip time while connected. */
export function connectionLabel(state: ConnectionState, rttMs: number | undefined): string {
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return rttMs === undefined ? 'Connected' : `${Math.max(1, Math.round(rttMs))} ms`;
    case 'reconnecting':
      return 'Reconnecting…';
    case 'offline':
      return 'Offline';
  }
}
