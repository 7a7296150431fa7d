// Owns finding the built phone app (`@loopsy/pwa`), which relays serve at /app; it is optional at run time.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function findPhoneAppBuild(): string | undefined {
  try {
    const dir = path.join(
      path.dirname(createRequire(import.meta.url).resolve('@loopsy/pwa/package.json')),
      'build',
    );
    return fs.existsSync(path.join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}
