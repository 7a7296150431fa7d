import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeShareTree, type ShareTree } from '../../test-support/index.js';
import { PathPolicy } from './path-policy.js';

let tree: ShareTree;
beforeEach(() => {
  tree = makeShareTree();
});
afterEach(() => tree.cleanup());

function policy(caseInsensitive: boolean, allowed = [tree.allowed], denied = [tree.denied]) {
  return new PathPolicy({
    settings: () => ({ allowedPaths: allowed, deniedPaths: denied }),
    dataFolder: path.join(tree.root, 'data'),
    userHome: tree.root,
    caseInsensitive,
  });
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'admitted',
    (err: Error) => err.message,
  );

describe('PathPolicy', () => {
  it('folds case for the allowed check only on case-insensitive file systems', async () => {
    const upper = path.join(tree.root, 'ALLOWED', 'f.txt');
    expect(await refusal(policy(false).resolve(upper))).toMatch(/outside the folders/);
    expect(await refusal(policy(true).resolve(upper))).toBe('admitted');
  });

  it('resolves its roots too: an allowed entry that is a link shares its target', async () => {
    const link = path.join(tree.root, 'link-to-allowed');
    fs.symlinkSync(tree.allowed, link);
    fs.writeFileSync(path.join(tree.allowed, 'f'), 'x');
    const viaLink = policy(false, [link], []);
    expect((await viaLink.resolve(path.join(tree.allowed, 'f'))).full).toBe(
      path.join(tree.allowed, 'f'),
    );
  });

  it('expands ~ in requests and in config entries, and shows the home as ~', async () => {
    const p = policy(false, ['~/allowed'], ['~/allowed/secret']);
    expect((await p.resolve('~/allowed/new.txt')).full).toBe(path.join(tree.allowed, 'new.txt'));
    expect(await refusal(p.resolve('~/allowed/secret/k'))).toMatch(
      /inside a denied path \(~\/allowed\/secret\)/,
    );
    expect(await refusal(p.resolve('~/outside/x'))).toMatch(/transfer\.allowedPaths: ~\/allowed\)/);
  });

  it('denies the data folder even when it is inside an allowed folder and not listed', async () => {
    const p = new PathPolicy({
      settings: () => ({ allowedPaths: [tree.root], deniedPaths: [] }),
      dataFolder: path.join(tree.allowed, '.loopsy'),
      userHome: tree.root,
    });
    expect(await refusal(p.resolve(path.join(tree.allowed, '.loopsy', 'api-key')))).toMatch(
      /the Loopsy data folder/,
    );
    expect(await refusal(p.resolve(path.join(tree.allowed, '.loopsy2', 'x')))).toBe('admitted');
  });

  it('shares nothing when allowedPaths is empty', async () => {
    expect(await refusal(policy(false, []).resolve(tree.allowed))).toMatch(
      /transfer\.allowedPaths: none/,
    );
  });
});
