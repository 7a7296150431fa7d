// Draws the app icons (192, 512, maskable 512) as PNGs with no dependencies: `npm run icons -w @loopsy/pwa`.
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

const BG: Rgba = [15, 17, 21, 255];
const RING: Rgba = [74, 222, 128, 255];
const PROMPT: Rgba = [230, 237, 243, 255];

/** Colour at (x, y) in unit coordinates (0..1), or undefined for transparent. */
function shade(x: number, y: number, maskable: boolean): Rgba | undefined {
  // Maskable icons must keep their content inside the central 80% circle and fill the whole square.
  const scale = maskable ? 0.72 : 1;
  const u = (x - 0.5) / scale + 0.5;
  const v = (y - 0.5) / scale + 0.5;
  if (!maskable) {
    const r = 0.2;
    const cx = Math.min(Math.max(x, r), 1 - r);
    const cy = Math.min(Math.max(y, r), 1 - r);
    if (Math.hypot(x - cx, y - cy) > r) return undefined;
  }
  const d = Math.hypot(u - 0.5, v - 0.5);
  if (d > 0.3 && d < 0.38) return RING;
  // A ">" chevron and an underscore inside the ring: a prompt.
  const inChevron =
    u > 0.34 &&
    u < 0.5 &&
    Math.abs(Math.abs(v - 0.47) - (0.5 - u)) < 0.035 &&
    Math.abs(v - 0.47) < 0.15;
  if (inChevron) return PROMPT;
  if (u > 0.52 && u < 0.66 && v > 0.57 && v < 0.615) return PROMPT;
  return BG;
}

function png(size: number, maskable: boolean): Buffer {
  const samples = 4;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = shade(
            (x + (sx + 0.5) / samples) / size,
            (y + (sy + 0.5) / samples) / size,
            maskable,
          );
          if (!c) continue;
          for (let i = 0; i < 3; i++) acc[i] = (acc[i] ?? 0) + (c[i] ?? 0) * (c[3] / 255);
          acc[3] = (acc[3] ?? 0) + c[3];
        }
      }
      const n = samples * samples;
      const alpha = (acc[3] ?? 0) / n;
      const off = y * (size * 4 + 1) + 1 + x * 4;
      for (let i = 0; i < 3; i++)
        raw[off + i] = alpha > 0 ? Math.round(((acc[i] ?? 0) / n / alpha) * 255) : 0;
      raw[off + 3] = Math.round(alpha);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

const out = path.join(import.meta.dirname, '..', 'static');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'icon-192.png'), png(192, false));
fs.writeFileSync(path.join(out, 'icon-512.png'), png(512, false));
fs.writeFileSync(path.join(out, 'icon-maskable-512.png'), png(512, true));
process.stdout.write(`icons written to ${out}\n`);
