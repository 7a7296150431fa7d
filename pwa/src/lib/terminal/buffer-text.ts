// Owns reading a terminal's buffer as plain text (for the select-and-copy sheet).
import type { Terminal } from '@xterm/xterm';

/** The last `maxLines` lines of the active buffer as text, trailing blank lines dropped. */
export function bufferText(term: Terminal, maxLines = 5000): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = Math.max(0, buf.length - maxLines); i < buf.length; i++) {
    const line = buf.getLine(i);
    if (!line) continue;
    // A wrapped row continues the previous line: join it instead of breaking the copied text.
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
