// `loopsy msg watch`: prints messages as they arrive (and receipts for yours), until Ctrl-C (or --count).
import type { RouterOutputs } from '@loopsy/client-sdk/node';
import { BaseCommand } from '../../base-command.js';
import { followStream, type StreamEventOf } from '../../stream-events.js';
import { countOption, formatTime, peerInput, peerOption } from '../context/options.js';
import { asInput, asOption } from './options.js';

type MessageEvent = StreamEventOf<RouterOutputs['messages']['onMessage']>;

export class MsgWatchCommand extends BaseCommand {
  static override paths = [['msg', 'watch']];
  static override usage = BaseCommand.Usage({
    description: 'Print messages as they arrive',
    details: `
      Follows new messages for you, messages being read or removed, and receipts for messages you sent, until
      Ctrl-C or until --count messages arrived (a script waits for the next one with --count 1). Messages that
      were already waiting are in \`loopsy msg inbox\`. With --json: one JSON object per line, starting with
      {"type":"ready"}; a "reset" line means events were missed (read the inbox again).
    `,
  });

  count = countOption('messages');
  as = asOption();
  peer = peerOption();

  protected async run(): Promise<void> {
    return this.withLocalClient(async (client) => {
      let seen = 0;
      await followStream<MessageEvent>(
        (handlers) =>
          client.messages.onMessage.subscribe(
            { ...asInput(this.as), ...peerInput(this.peer) },
            handlers,
          ),
        (id, event) => {
          this.print(id, event);
          if (event.type === 'message') seen++;
          return this.count !== undefined && seen >= this.count;
        },
      );
    });
  }

  private print(id: string, event: MessageEvent): void {
    const out = this.context.stdout;
    if (this.json) {
      out.write(`${JSON.stringify({ id, ...event })}\n`);
      return;
    }
    switch (event.type) {
      case 'ready':
        return;
      case 'message': {
        const m = event.message;
        const reply = m.replyTo !== undefined ? ` (reply to ${m.replyTo})` : '';
        out.write(
          `[${formatTime(m.ts)}] ${m.type} from ${m.from}${reply}, id ${m.id}:\n${m.body}\n`,
        );
        return;
      }
      case 'read':
        out.write(`read     ${event.id}\n`);
        return;
      case 'removed':
        out.write(`removed  ${event.id} (${event.reason})\n`);
        return;
      case 'acked':
        out.write(`acked    ${event.id} by ${event.by} at ${formatTime(event.ackedAt)}\n`);
        return;
      case 'reset':
        this.context.stderr.write(`loopsy: ${event.message} (loopsy msg inbox)\n`);
        return;
    }
  }
}
