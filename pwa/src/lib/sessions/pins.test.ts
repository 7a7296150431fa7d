import { describe, expect, it } from 'vitest';
import { ago, supportsAutoApprove } from './agents.js';
import { addPin, loadPins, removePin } from './pins.js';

class MemoryStorage {
  items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
}

const store = (): Storage => new MemoryStorage() as unknown as Storage;

describe('pinned session tiles', () => {
  it('are kept per laptop, replaced by label, and removed', () => {
    const s = store();
    addPin('a', { label: 'htop', agent: 'custom', command: 'htop', args: [] }, s);
    addPin('a', { label: 'claude here', agent: 'claude', cwd: '/src/app' }, s);
    addPin('a', { label: 'htop', agent: 'custom', command: 'htop', args: ['-d', '5'] }, s);
    expect(loadPins('b', s)).toEqual([]);
    expect(loadPins('a', s).map((p) => [p.label, p.args])).toEqual([
      ['claude here', undefined],
      ['htop', ['-d', '5']],
    ]);
    expect(removePin('a', 'htop', s).map((p) => p.label)).toEqual(['claude here']);
  });

  it('drops damaged records instead of failing', () => {
    const s = store();
    s.setItem(
      'loopsy.pins.a',
      JSON.stringify([
        { label: 'ok', agent: 'shell' },
        { label: 'no command', agent: 'custom' },
        { label: 'bad agent', agent: 'rm' },
        { label: 'bad args', agent: 'shell', args: [1] },
        'junk',
      ]),
    );
    expect(loadPins('a', s).map((p) => p.label)).toEqual(['ok']);
    s.setItem('loopsy.pins.a', '{not json');
    expect(loadPins('a', s)).toEqual([]);
  });
});

describe('agents', () => {
  it('auto-approve exists for the agents with a skip-permission flag only', () => {
    expect(supportsAutoApprove('claude')).toBe(true);
    expect(supportsAutoApprove('gemini')).toBe(true);
    expect(supportsAutoApprove('opencode')).toBe(false);
    expect(supportsAutoApprove('shell')).toBe(false);
  });

  it('says how long ago', () => {
    expect(ago(0, 10_000)).toBe('just now');
    expect(ago(0, 5 * 60_000)).toBe('5 min ago');
    expect(ago(0, 3 * 3600_000)).toBe('3 h ago');
    expect(ago(0, 72 * 3600_000)).toBe('3 d ago');
  });
});
