// Owns serving the web app from appDir under /app: content types, SPA fallback, and no way out of the folder.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export interface StaticApp {
  /** Serves `rawPath` (the undecoded path, starting with /app) to the response. */
  serve(rawPath: string, req: http.IncomingMessage, res: http.ServerResponse): void;
}

export function createStaticApp(appDir: string): StaticApp {
  const root = path.resolve(appDir);
  return {
    serve(rawPath, req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        sendText(res, 405, 'Method not allowed.');
        return;
      }
      const segments = decodeSegments(rawPath.slice('/app'.length));
      if (!segments) {
        sendText(res, 400, 'Bad path.');
        return;
      }
      const file = locate(root, segments);
      if (!file) {
        sendText(res, 404, 'Not found.');
        return;
      }
      sendFile(file, req, res);
    },
  };
}

/** Decoded path segments; undefined for anything that could name a place outside the folder. */
function decodeSegments(rest: string): string[] | undefined {
  if (rest !== '' && !rest.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const raw of rest.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg === '.' || seg === '..' || /[/\\\0]/.test(seg) || seg.includes(':')) return undefined;
    out.push(seg);
  }
  return out;
}

function locate(root: string, segments: string[]): string | undefined {
  const target = path.resolve(root, ...segments);
  if (!inside(root, target)) return undefined;
  const found = existingFile(root, target);
  if (found) return found;
  // Deep links of the single-page app get index.html; a missing asset (it has an extension) is a 404.
  const last = segments[segments.length - 1];
  if (last !== undefined && path.extname(last) !== '') return undefined;
  return existingFile(root, path.join(root, 'index.html'));
}

function existingFile(root: string, target: string): string | undefined {
  try {
    let real = fs.realpathSync(target);
    // Links may point anywhere; only files that really live in the folder are served.
    if (!inside(fs.realpathSync(root), real)) return undefined;
    if (fs.statSync(real).isDirectory()) real = fs.realpathSync(path.join(real, 'index.html'));
    if (!inside(fs.realpathSync(root), real) || !fs.statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function sendFile(file: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const ext = path.extname(file).toLowerCase();
  res.statusCode = 200;
  res.setHeader('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader(
    'cache-control',
    path.basename(file) === 'index.html' ? 'no-cache' : 'public, max-age=3600',
  );
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    sendText(res, 404, 'Not found.');
    return;
  }
  res.setHeader('content-length', size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}
