// Public surface of @loopsy/cli: the command table, for the bin and for in-process tests.
export { createCli } from './cli.js';
export { BaseCommand, CliError } from './base-command.js';
