// `loopsy msg send <to> <body>`: sends a protocol message (inbox key on the recipient, outbox copy here).
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../../base-command.js';
import { readStdinText } from '../../stdin-text.js';
import { peerInput, peerOption, ttlOption } from '../context/options.js';
import { asInput, asOption } from './options.js';

const TYPES = ['chat', 'request', 'response', 'ack', 'broadcast'] as const;

export class MsgSendCommand extends BaseCommand {
  static override paths = [['msg', 'send']];
  static override usage = BaseCommand.Usage({
    description: 'Send a message to an agent',
    details: `
      <to> is a hostname, <hostname>/<agent>, or "local" for this machine. A body of \`-\` is read from
      standard input. The message waits in the recipient's inbox until acknowledged or expired
      (messages.ttlSeconds, 1 hour, unless --ttl). See docs/agents-protocol.md.
    `,
    examples: [
      [
        'Ask the agent "codex" on this machine',
        '$0 msg send local/codex "run the tests" --type request',
      ],
      [
        'Reply to a message',
        '$0 msg send kai "done" --type response --reply-to 1771732800000-kai-a3f2',
      ],
    ],
  });

  type = Option.String('--type', 'chat', {
    description: `chat (default), request, response, ack or broadcast`,
    validator: t.isEnum(TYPES),
  });
  replyTo = Option.String('--reply-to', { description: 'The id of the message this answers' });
  ttl = ttlOption('The message');
  as = asOption();
  peer = peerOption();
  to = Option.String({ name: 'to' });
  body = Option.String({ name: 'body' });

  protected async run(): Promise<void> {
    const body =
      this.body === '-'
        ? await readStdinText(this.context.stdin, 1024 * 1024, 'The message body')
        : this.body;
    return this.withLocalClient(async (client) => {
      const sent = await client.messages.send.mutate({
        to: this.to,
        type: this.type,
        body,
        ...(this.replyTo !== undefined ? { replyTo: this.replyTo } : {}),
        ...(this.ttl !== undefined ? { ttlSeconds: this.ttl } : {}),
        ...asInput(this.as),
        ...peerInput(this.peer),
      });
      this.output(sent, `Sent ${sent.id} to ${sent.to}.`);
    });
  }
}
