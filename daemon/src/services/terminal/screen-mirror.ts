// Owns the headless terminal that mirrors a session, so a viewer that arrives late gets the screen as it is.
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';

const { Terminal } = headless;
const { SerializeAddon } = serialize;

export interface ScreenSnapshot {
  /** Offset of the output the snapshot covers: live bytes continue from here. */
  offset: number;
  /** Escape sequences that redraw the screen (and scrollback) on a fresh terminal. */
  data: string;
  cols: number;
  rows: number;
}

export class ScreenMirror {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly serializer: InstanceType<typeof SerializeAddon>;
  private parsed = 0;

  constructor(
    cols: number,
    rows: number,
    private readonly scrollback: number,
  ) {
    this.term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.serializer = new SerializeAddon();
    this.term.loadAddon(this.serializer);
  }

  write(chunk: Buffer): void {
    const length = chunk.length;
    this.term.write(chunk, () => {
      this.parsed += length;
    });
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Resolves once every byte written so far is parsed, with the screen at exactly that offset. */
  snapshot(): Promise<ScreenSnapshot> {
    return new Promise((resolve) => {
      // Write callbacks run in order, so inside this one the screen reflects exactly `parsed` bytes.
      this.term.write(new Uint8Array(0), () => {
        resolve({
          offset: this.parsed,
          data: this.serializer.serialize({ scrollback: this.scrollback }),
          cols: this.term.cols,
          rows: this.term.rows,
        });
      });
    });
  }

  /** The visible screen as plain text lines (for tests and previews). */
  visibleText(): Promise<string[]> {
    return new Promise((resolve) => {
      this.term.write(new Uint8Array(0), () => {
        const buf = this.term.buffer.active;
        const lines: string[] = [];
        for (let y = 0; y < this.term.rows; y++) {
          lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
        }
        resolve(lines);
      });
    });
  }

  dispose(): void {
    this.term.dispose();
  }
}
