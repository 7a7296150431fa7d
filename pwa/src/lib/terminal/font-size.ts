// Owns the terminal font size the user picked (buttons or pinch), remembered in this browser.
import { clamp, MAX_FONT, MIN_FONT } from './gestures.js';

const KEY = 'loopsy.fontSize';
export const DEFAULT_FONT = 13;

export function loadFontSize(): number {
  const n = Number(localStorage.getItem(KEY));
  return Number.isInteger(n) && n >= MIN_FONT && n <= MAX_FONT ? n : DEFAULT_FONT;
}

export function saveFontSize(size: number): number {
  const n = clamp(Math.round(size), MIN_FONT, MAX_FONT);
  localStorage.setItem(KEY, String(n));
  return n;
}
