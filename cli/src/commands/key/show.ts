// `loopsy key show`: prints the owner's API key.
import { dataPaths, readApiKey } from '@loopsy/daemon';
import { BaseCommand, CliError } from '../../base-command.js';

export class KeyShowCommand extends BaseCommand {
  static override paths = [['key', 'show']];
  static override usage = BaseCommand.Usage({ description: "Print this machine's API key" });

  protected run(): void {
    const file = dataPaths(this.home).apiKey;
    const key = readApiKey(file);
    if (key === undefined)
      throw new CliError(`No API key in ${this.home}. Run \`loopsy init\` first.`);
    this.output({ apiKey: key, file }, key);
  }
}
