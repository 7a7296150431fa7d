import { describe, expect, it } from 'vitest';
import {
  clearLocalSession,
  loadLocalSession,
  loginSecretFrom,
  parseLocalSession,
  saveLocalSession,
} from './local-session.js';

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const SECRET = 'a'.repeat(40) + '_-Z';

describe('login link secret', () => {
  it('takes a 43-character base64url secret from the fragment', () => {
    expect(loginSecretFrom(`#${SECRET}`)).toBe(SECRET);
    expect(loginSecretFrom(SECRET)).toBe(SECRET);
  });

  it('refuses anything else', () => {
    expect(loginSecretFrom('')).toBeUndefined();
    expect(loginSecretFrom('#')).toBeUndefined();
    expect(loginSecretFrom(`#${SECRET}x`)).toBeUndefined();
    expect(loginSecretFrom(`#${SECRET.slice(1)}=`)).toBeUndefined();
    expect(loginSecretFrom('#<script>')).toBeUndefined();
  });
});

describe('local session storage', () => {
  it('keeps a session until it expires, then forgets it', () => {
    const s = new MemoryStorage();
    saveLocalSession({ token: 'lpc_x', expiresAt: 2000 }, s);
    expect(loadLocalSession(s, 1000)).toEqual({ token: 'lpc_x', expiresAt: 2000 });
    expect(loadLocalSession(s, 2000)).toBeUndefined();
    expect(s.length).toBe(0);
  });

  it('ignores damaged records', () => {
    expect(parseLocalSession('{', 0)).toBeUndefined();
    expect(parseLocalSession('null', 0)).toBeUndefined();
    expect(parseLocalSession('{"token":"","expiresAt":5}', 0)).toBeUndefined();
    expect(parseLocalSession('{"token":"t","expiresAt":"5"}', 0)).toBeUndefined();
    expect(parseLocalSession(null, 0)).toBeUndefined();
  });

  it('clears on logout', () => {
    const s = new MemoryStorage();
    saveLocalSession({ token: 't', expiresAt: 10 }, s);
    clearLocalSession(s);
    expect(loadLocalSession(s, 0)).toBeUndefined();
  });
});
