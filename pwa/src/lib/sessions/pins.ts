// Owns the one-tap tiles a user pins per laptop: a saved session recipe (agent, command, folder), in this browser.
import type { AgentChoice } from './agents.js';

export interface Pin {
  label: string;
  agent: AgentChoice;
  /** For `custom`: the program and its arguments. */
  command?: string;
  args?: string[];
  cwd?: string;
}

const AGENTS: readonly string[] = ['shell', 'claude', 'codex', 'gemini', 'opencode', 'custom'];
const MAX_PINS = 24;

function key(laptopId: string): string {
  return `loopsy.pins.${laptopId}`;
}

function isPin(value: unknown): value is Pin {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  if (typeof p['label'] !== 'string' || p['label'] === '') return false;
  if (typeof p['agent'] !== 'string' || !AGENTS.includes(p['agent'])) return false;
  if (p['command'] !== undefined && typeof p['command'] !== 'string') return false;
  if (p['cwd'] !== undefined && typeof p['cwd'] !== 'string') return false;
  if (
    p['args'] !== undefined &&
    !(Array.isArray(p['args']) && p['args'].every((a) => typeof a === 'string'))
  )
    return false;
  return p['agent'] !== 'custom' || typeof p['command'] === 'string';
}

export function loadPins(laptopId: string, storage: Storage = localStorage): Pin[] {
  try {
    const value: unknown = JSON.parse(storage.getItem(key(laptopId)) ?? '[]');
    return Array.isArray(value) ? value.filter(isPin) : [];
  } catch {
    return [];
  }
}

/** Adds a pin (replacing one with the same label) and returns the new list. */
export function addPin(laptopId: string, pin: Pin, storage: Storage = localStorage): Pin[] {
  const pins = [...loadPins(laptopId, storage).filter((p) => p.label !== pin.label), pin].slice(
    -MAX_PINS,
  );
  storage.setItem(key(laptopId), JSON.stringify(pins));
  return pins;
}

export function removePin(laptopId: string, label: string, storage: Storage = localStorage): Pin[] {
  const pins = loadPins(laptopId, storage).filter((p) => p.label !== label);
  storage.setItem(key(laptopId), JSON.stringify(pins));
  return pins;
}
