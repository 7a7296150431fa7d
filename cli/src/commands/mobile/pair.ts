// `loopsy mobile pair`: show a QR code and link for a phone, and the 4-digit code that appears only here.
import { Option } from 'clipanion';
import QRCode from 'qrcode';
import * as t from 'typanion';
import { BaseCommand } from '../../base-command.js';

export class MobilePairCommand extends BaseCommand {
  static override paths = [['mobile', 'pair']];
  static override usage = BaseCommand.Usage({
    description:
      'Pair a phone: scan the QR code (or open the link), then type the 4-digit code shown here',
    details:
      'The code is never in the link or the QR code, so a relay that sees the link still cannot pair. Five wrong codes end the pairing.',
  });

  ttl = Option.String('--ttl', '1800', {
    description: 'Seconds the link stays valid (30 to 86400)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(30, 86_400)]),
  });

  protected async run(): Promise<void> {
    await this.withLocalClient(async (client) => {
      const offer = await client.phones.createPairing.mutate({ ttlSeconds: Number(this.ttl) });
      if (this.json) {
        this.output(offer, '');
        return;
      }
      const qr = await QRCode.toString(offer.link, { type: 'terminal', small: true });
      this.context.stdout.write(
        `${qr}\nOpen on your phone:\n  ${offer.link}\n\nThen enter this code on the phone:  ${offer.code}\n` +
          `(valid until ${new Date(offer.expiresAt).toLocaleTimeString()}; 5 wrong codes end it)\n`,
      );
    });
  }
}
