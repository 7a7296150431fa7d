// Owns decoding the daemon's base64 terminal output into bytes for xterm (which decodes UTF-8 across chunks).

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
