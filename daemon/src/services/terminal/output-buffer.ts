// Owns a session's recent output: a bounded buffer of bytes addressed by absolute offset since the session began.
export type ReadResult =
  | { kind: 'data'; offset: number; data: Buffer }
  | { kind: 'gap'; available: number }
  | { kind: 'none' };

export class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private startOffset = 0;
  private endOffset = 0;
  private size = 0;

  constructor(private readonly capacity: number) {}

  /** Offset of the oldest byte still held. */
  get start(): number {
    return this.startOffset;
  }

  /** Offset just past the newest byte (the total ever written). */
  get end(): number {
    return this.endOffset;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.endOffset += chunk.length;
    while (this.size > this.capacity && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      const excess = this.size - this.capacity;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.startOffset += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.startOffset += excess;
      }
    }
  }

  /** Up to `max` bytes from `from`; a gap when `from` is older than what is held. */
  read(from: number, max: number): ReadResult {
    if (from < this.startOffset) return { kind: 'gap', available: this.startOffset };
    if (from >= this.endOffset) return { kind: 'none' };
    const parts: Buffer[] = [];
    let pos = this.startOffset;
    let taken = 0;
    for (const chunk of this.chunks) {
      const chunkEnd = pos + chunk.length;
      if (chunkEnd > from && taken < max) {
        const begin = Math.max(0, from - pos);
        const slice = chunk.subarray(begin, Math.min(chunk.length, begin + (max - taken)));
        parts.push(slice);
        taken += slice.length;
      }
      pos = chunkEnd;
      if (taken >= max) break;
    }
    return {
      kind: 'data',
      offset: from,
      data: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts),
    };
  }
}
