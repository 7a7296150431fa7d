import { describe, expect, it } from 'vitest';
import { addressMatches, messagingHost, ownAddress, parseAddress } from './address.js';

describe('agent addresses', () => {
  it('uses the hostname as it is, and makes an odd one safe for keys', () => {
    expect(messagingHost('Leos-MacBook-Pro.local')).toBe('Leos-MacBook-Pro.local');
    expect(messagingHost('my host:1')).toBe('my-host-1');
    expect(messagingHost('-weird')).toBe('weird');
    expect(messagingHost('h'.repeat(100))).toHaveLength(63);
    expect(messagingHost('…')).toBe('localhost');
  });

  it('parses hosts, host/agent and local, and refuses the rest with the grammar', () => {
    expect(parseAddress('kai', 'leo')).toEqual({ host: 'kai' });
    expect(parseAddress('kai/claude', 'leo')).toEqual({ host: 'kai', agent: 'claude' });
    expect(parseAddress('local', 'leo')).toEqual({ host: 'leo' });
    expect(parseAddress('local/codex', 'leo')).toEqual({ host: 'leo', agent: 'codex' });
    for (const bad of ['', 'a/b/c', 'kai:1', '/claude', 'kai/', 'has space', `${'h'.repeat(64)}`]) {
      expect(() => parseAddress(bad, 'leo'), bad).toThrow(/is not an agent address/);
    }
    expect(ownAddress('leo', undefined)).toEqual({ host: 'leo' });
    expect(() => ownAddress('leo', 'a/b')).toThrow(/is not an agent name/);
  });

  it('matches a bare host against every agent on it, host/agent exactly', () => {
    expect(addressMatches('kai/claude', 'kai')).toBe(true);
    expect(addressMatches('kai', 'kai')).toBe(true);
    expect(addressMatches('kaiser', 'kai')).toBe(false);
    expect(addressMatches('kai/claude', 'kai/codex')).toBe(false);
  });
});
