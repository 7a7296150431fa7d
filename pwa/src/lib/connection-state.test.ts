import { describe, expect, it } from 'vitest';
import {
  connectionLabel,
  nextConnectionState,
  type ConnectionEvent,
  type ConnectionState,
} from './connection-state.js';

function run(events: ConnectionEvent[], from: ConnectionState = 'connecting'): ConnectionState[] {
  const seen: ConnectionState[] = [];
  let s = from;
  for (const e of events) {
    s = nextConnectionState(s, e);
    seen.push(s);
  }
  return seen;
}

describe('connection state', () => {
  it('goes connecting → connected on the first open socket or started stream', () => {
    expect(
      run([
        { type: 'socket', state: 'connecting' },
        { type: 'socket', state: 'pending' },
      ]),
    ).toEqual(['connecting', 'connected']);
    expect(run([{ type: 'started' }])).toEqual(['connected']);
  });

  it('calls a later drop reconnecting, not connecting, and comes back when the socket reopens', () => {
    expect(
      run([
        { type: 'started' },
        { type: 'socket', state: 'connecting' },
        { type: 'socket', state: 'connecting' },
        { type: 'socket', state: 'pending' },
      ]),
    ).toEqual(['connected', 'reconnecting', 'reconnecting', 'connected']);
  });

  it('says offline while the device has no network, and reconnecting once it is back', () => {
    expect(
      run([
        { type: 'started' },
        { type: 'network', online: false },
        { type: 'socket', state: 'connecting' },
        { type: 'network', online: true },
        { type: 'started' },
      ]),
    ).toEqual(['connected', 'offline', 'reconnecting', 'reconnecting', 'connected']);
  });

  it('treats a stalled probe as a drop only while connected', () => {
    expect(run([{ type: 'started' }, { type: 'stalled' }])).toEqual(['connected', 'reconnecting']);
    expect(run([{ type: 'stalled' }])).toEqual(['connecting']);
    expect(run([{ type: 'failed' }, { type: 'stalled' }])).toEqual(['offline', 'offline']);
  });

  it('an idle socket (lazy close) changes nothing', () => {
    expect(run([{ type: 'started' }, { type: 'socket', state: 'idle' }])).toEqual([
      'connected',
      'connected',
    ]);
  });
});

describe('connection label', () => {
  it('shows the round trip while connected', () => {
    expect(connectionLabel('connected', 12.4)).toBe('12 ms');
    expect(connectionLabel('connected', 0.2)).toBe('1 ms');
    expect(connectionLabel('connected', undefined)).toBe('Connected');
    expect(connectionLabel('reconnecting', 5)).toBe('Reconnecting…');
  });
});
