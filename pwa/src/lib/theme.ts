// Owns the colour theme: the user's choice (system, dark, light) kept in this browser, and the terminal's palette.

export type ThemeChoice = 'system' | 'dark' | 'light';

const KEY = 'loopsy.theme';

export function themeChoice(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'dark' || v === 'light' ? v : 'system';
}

/** Remembers a choice and applies it to the document. */
export function setThemeChoice(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  applyTheme(choice);
}

/** `data-theme` on <html> always holds the theme in effect (app.html sets it before the first paint). */
export function applyTheme(choice: ThemeChoice = themeChoice()): void {
  document.documentElement.dataset['theme'] = effectiveTheme(choice);
}

/** Keeps a `system` choice in step with the device's light/dark setting; returns the stop function. */
export function followSystemTheme(): () => void {
  const query = matchMedia('(prefers-color-scheme: light)');
  const onChange = (): void => applyTheme();
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** The theme in effect now, resolving `system` through the media query. */
export function effectiveTheme(choice: ThemeChoice = themeChoice()): 'dark' | 'light' {
  if (choice !== 'system') return choice;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function nextThemeChoice(choice: ThemeChoice): ThemeChoice {
  return choice === 'system' ? 'dark' : choice === 'dark' ? 'light' : 'system';
}

export interface TerminalPalette {
  background: string;
  foreground: string;
  cursor: string;
  cursorAccent: string;
  selectionBackground: string;
}

export function terminalPalette(theme: 'dark' | 'light'): TerminalPalette {
  return theme === 'dark'
    ? {
        background: '#0f1115',
        foreground: '#e6edf3',
        cursor: '#4ade80',
        cursorAccent: '#0f1115',
        selectionBackground: '#3b5070',
      }
    : {
        background: '#ffffff',
        foreground: '#1f2328',
        cursor: '#1a7f37',
        cursorAccent: '#ffffff',
        selectionBackground: '#b6d4fe',
      };
}
