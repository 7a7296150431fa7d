// `loopsy phone list` and `loopsy phone revoke <id>`: the phones paired with this machine.
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';

export class PhoneListCommand extends BaseCommand {
  static override paths = [['phone', 'list'], ['phone']];
  static override usage = BaseCommand.Usage({ description: 'List paired phones' });

  protected async run(): Promise<void> {
    await this.withLocalClient(async (client) => {
      const phones = await client.phones.list.query();
      this.output(phones, () =>
        phones.length === 0
          ? 'No phones paired. Pair one with `loopsy mobile pair`.'
          : [
              'ID                NAME              PAIRED               LAST SEEN            STATE',
              ...phones.map(
                (p) =>
                  `${p.id.padEnd(16)}  ${p.name.padEnd(16)}  ${new Date(p.createdAt).toLocaleString().padEnd(19)}  ${(p.lastSeenAt ? new Date(p.lastSeenAt).toLocaleString() : 'never').padEnd(19)}  ${p.revokedAt ? 'revoked' : 'active'}`,
              ),
            ].join('\n'),
      );
    });
  }
}

export class PhoneRevokeCommand extends BaseCommand {
  static override paths = [['phone', 'revoke']];
  static override usage = BaseCommand.Usage({
    description: 'Revoke a phone: its live connections are cut at once',
  });

  id = Option.String({ required: true, name: 'id' });

  protected async run(): Promise<void> {
    await this.withLocalClient(async (client) => {
      const result = await client.phones.revoke.mutate({ id: this.id });
      this.output(
        result,
        `Revoked ${result.phone.name} (${result.phone.id}).${result.relayNotified ? '' : ' The relay could not be told now; the phone is refused here regardless.'}`,
      );
    });
  }
}
