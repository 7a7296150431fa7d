// `loopsy key generate`: rotates the owner's API key; a running daemon accepts only the new one at once.
import { dataPaths, generateApiKey, writeApiKey } from '@loopsy/daemon';
import { BaseCommand } from '../../base-command.js';

export class KeyGenerateCommand extends BaseCommand {
  static override paths = [['key', 'generate']];
  static override usage = BaseCommand.Usage({
    description: 'Replace the API key with a new one',
    details: 'The old key stops working immediately, also for a running daemon.',
  });

  protected run(): void {
    const file = dataPaths(this.home).apiKey;
    const key = generateApiKey();
    writeApiKey(file, key);
    this.output({ apiKey: key, file }, `New API key written to ${file}:\n${key}`);
  }
}
