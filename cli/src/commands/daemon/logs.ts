// `loopsy logs [-f]`: the audit trail, one line per procedure call; -f follows new entries (across rotation).
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { dataPaths, parseAuditLines, readAuditTail, type AuditEntry } from '@loopsy/daemon';
import { BaseCommand } from '../../base-command.js';

export class DaemonLogsCommand extends BaseCommand {
  static override paths = [['logs']];
  static override usage = BaseCommand.Usage({
    description: 'Show the audit trail (every call: time, caller, transport, procedure, outcome)',
  });

  follow = Option.Boolean('-f,--follow', false, { description: 'Keep printing new entries' });
  lines = Option.String('-n,--lines', '50', {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 100_000)]),
  });

  protected async run(): Promise<void> {
    const file = dataPaths(this.home).audit;
    const lines = Number(this.lines);
    const tail = readAuditTail(file, lines);
    if (this.json && !this.follow) {
      this.context.stdout.write(`${JSON.stringify(tail, null, 2)}\n`);
      return;
    }
    for (const entry of tail) this.print(entry);
    if (!this.follow) return;
    let position = fileSize(file);
    let pending = '';
    for (;;) {
      await sleep(250);
      const size = fileSize(file);
      if (size < position) position = 0; // rotated: the new file starts from scratch
      if (size === position) continue;
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.alloc(size - position);
      fs.readSync(fd, buf, 0, buf.length, position);
      fs.closeSync(fd);
      position = size;
      const text = pending + buf.toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      pending = text.slice(cut);
      for (const entry of parseAuditLines(text.slice(0, cut))) this.print(entry);
    }
  }

  private print(e: AuditEntry): void {
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    const detail = e.message ? `  ${e.message}` : '';
    this.context.stdout.write(
      `${e.ts}  ${e.outcome.padEnd(12)} ${e.caller.padEnd(18)} ${e.transport.padEnd(5)} ${e.procedure} (${e.durationMs} ms)${detail}\n`,
    );
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
