// Owns the live configuration: the file is re-read when it changes, so limits apply without a restart.
import fs from 'node:fs';
import { parseConfig, type Config } from '../config.js';

export class ConfigFile {
  private stamp: string;

  constructor(
    private readonly file: string,
    private config: Config,
  ) {
    this.stamp = this.currentStamp();
  }

  current(): Config {
    const stamp = this.currentStamp();
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      try {
        this.config = parseConfig(fs.readFileSync(this.file, 'utf8'), this.file);
      } catch (err) {
        // Keep serving with the last good config; the next start will refuse the bad one loudly.
        process.stderr.write(`loopsy: config change ignored: ${(err as Error).message}\n`);
      }
    }
    return this.config;
  }

  private currentStamp(): string {
    try {
      const st = fs.statSync(this.file, { bigint: true });
      return `${st.ino}:${st.mtimeNs}:${st.size}`;
    } catch {
      return 'missing';
    }
  }
}
