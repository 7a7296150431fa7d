// `loopsy relay configure <url>`: register this machine at a relay and switch the running daemon to it.
import { Option } from 'clipanion';
import { BaseCommand } from '../../base-command.js';

export class RelayConfigureCommand extends BaseCommand {
  static override paths = [['relay', 'configure']];
  static override usage = BaseCommand.Usage({
    description: 'Use a relay (yours, e.g. from `loopsy relay serve`) instead of the built-in one',
    details: 'Phones paired through another relay keep that relay; pair them again to move them.',
  });

  url = Option.String({ required: true, name: 'url' });

  protected async run(): Promise<void> {
    await this.withLocalClient(async (client) => {
      const status = await client.relay.configure.mutate({ url: this.url });
      this.output(
        status,
        `This machine now uses the relay at ${status?.url ?? this.url} (device ${status?.deviceId ?? '?'}).`,
      );
    });
  }
}
