#!/usr/bin/env node
// The `loopsy` executable: runs the built CLI (npm install builds it; otherwise run `npm run build`).
import { Cli } from 'clipanion';

let createCli;
try {
  ({ createCli } = await import('../dist/index.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/index.js')) {
    process.stderr.write(
      'loopsy: the CLI is not built yet. Run `npm run build` in the Loopsy checkout.\n',
    );
    process.exit(1);
  }
  throw err;
}
const cli = createCli();
await cli.runExit(process.argv.slice(2), Cli.defaultContext);
