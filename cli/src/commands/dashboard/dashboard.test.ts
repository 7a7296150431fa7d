// `loopsy dashboard` against a real daemon: the link signs a browser in once, and the browser is opened
// through a private page, never with the secret in a process argument.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLoopsyClient, TRPCClientError } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../test-support/run-cli.js';

let d: TestDaemon;
let env: Record<string, string>;
beforeAll(async () => {
  d = await startTestDaemon();
  // What `loopsy start` records, and what connectLocal reads.
  fs.writeFileSync(
    path.join(d.home, 'daemon.json'),
    JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
  );
  env = { LOOPSY_HOME: d.home, PATH: '/nonexistent' };
});
afterAll(() => d.stop());

interface Login {
  link: string;
  expiresAt: number;
  opened: boolean;
}

async function exchange(link: string): Promise<{ token: string; expiresAt: number }> {
  const anonymous = createLoopsyClient({ url: d.url, apiKey: '' });
  try {
    return await anonymous.auth.exchangeLogin.mutate({ secret: link.split('#')[1] ?? '' });
  } finally {
    await anonymous.close();
  }
}

describe('loopsy dashboard', () => {
  it('prints a one-time link; the secret in it is exchanged once for a working session', async () => {
    const res = await runInProcess(['dashboard', '--no-open', '--json', '--ttl', '60'], env);
    expect(res.code, res.stderr).toBe(0);
    const login = JSON.parse(res.stdout) as Login;
    expect(login.link).toMatch(new RegExp(`^${d.url}/app/login#[A-Za-z0-9_-]{43}$`));
    expect(login.opened).toBe(false);
    expect(login.expiresAt - Date.now()).toBeLessThanOrEqual(60_000);
    expect(fs.existsSync(path.join(d.home, 'dashboard-login.html'))).toBe(false);

    const { token } = await exchange(login.link);
    const browser = createLoopsyClient({ url: d.url, apiKey: token });
    try {
      expect((await browser.system.identity.query()).caller).toMatchObject({
        kind: 'session',
        name: 'dashboard',
      });
      expect((await browser.terminal.list.query()).length).toBe(0);
    } finally {
      await browser.close();
    }
    const second = await exchange(login.link).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(TRPCClientError);
    expect((second as { data?: { code?: string } }).data?.code).toBe('UNAUTHORIZED');
    expect((second as Error).message).toMatch(/loopsy dashboard/);
  });

  it('opens the browser on a private page that forwards to the link, deleted once the link is used', async () => {
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-opener-'));
    try {
      const argvFile = path.join(fake, 'argv');
      for (const name of ['xdg-open', 'open']) {
        fs.writeFileSync(
          path.join(fake, name),
          `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}.tmp' && mv '${argvFile}.tmp' '${argvFile}'\n`,
          { mode: 0o755 },
        );
      }
      const res = await runInProcess(['dashboard', '--json'], {
        ...env,
        PATH: `${fake}:/usr/bin:/bin`,
      });
      expect(res.code, res.stderr).toBe(0);
      const login = JSON.parse(res.stdout) as Login;
      expect(login.opened).toBe(true);

      const page = path.join(d.home, 'dashboard-login.html');
      expect(fs.statSync(page).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(page, 'utf8')).toContain(
        `location.replace(${JSON.stringify(login.link)})`,
      );
      const deadline = Date.now() + 10_000;
      while (!fs.existsSync(argvFile) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const argv = fs.readFileSync(argvFile, 'utf8');
      expect(argv).toBe(`${page}\n`);
      expect(argv).not.toContain(login.link.split('#')[1]);

      await exchange(login.link);
      expect(fs.existsSync(page)).toBe(false);
    } finally {
      fs.rmSync(fake, { recursive: true, force: true });
    }
  });

  it('prints the link for a person, and says so when no browser opener exists', async () => {
    const res = await runInProcess(['dashboard'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /Dashboard login \(works once, until .+\):\n {2}http:\/\/127\.0\.0\.1:\d+\/app\/login#/,
    );
    expect(res.stdout).toMatch(/No browser opener found/);
  });

  it('refuses a TTL out of range', async () => {
    const res = await runInProcess(['dashboard', '--no-open', '--ttl', '5'], env);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/ttl/i);
  });
});
