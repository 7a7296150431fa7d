// `loopsy init`: writes config.yaml and an API key into the data folder.
import { Option } from 'clipanion';
import { BaseCommand, CliError } from '../../base-command.js';
import { initHome } from '../../setup.js';

export class DaemonInitCommand extends BaseCommand {
  static override paths = [['init']];
  static override usage = BaseCommand.Usage({
    description: 'Create the config file and an API key',
    details:
      'Refuses to replace an existing setup unless --force is given (which also rotates the key).',
  });

  force = Option.Boolean('--force', false, { description: 'Overwrite an existing config and key' });

  protected run(): void {
    const result = initHome(this.home, this.force);
    if (!result.created) {
      throw new CliError(
        `${result.home} is already set up (${result.config}). Use --force to overwrite it with defaults and a new key.`,
      );
    }
    this.output(
      result,
      `Initialized ${result.home}\n  config:  ${result.config}\n  api key: ${result.apiKeyFile} (show it with \`loopsy key show\`)`,
    );
  }
}
