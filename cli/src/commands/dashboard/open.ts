// `loopsy dashboard`: sign this machine's browser in to the app at /app with a one-time link (no pairing).
import { Option } from 'clipanion';
import * as t from 'typanion';
import { dataPaths, writePrivateFileAtomic } from '@loopsy/daemon';
import { BaseCommand } from '../../base-command.js';
import { openInBrowser } from '../../browser-opener.js';

export class DashboardOpenCommand extends BaseCommand {
  static override paths = [['dashboard']];
  static override usage = BaseCommand.Usage({
    description: "Open the Loopsy app in this machine's browser, signed in with a one-time link",
    details:
      'The link works once and expires after --ttl seconds; it signs the browser in for 12 hours. The browser is opened through a private page in the data folder, so the secret never appears in a process argument; the daemon deletes that page once the link is used or expired.',
  });

  open = Option.Boolean('--open', true, {
    description: 'Open the browser (--no-open only prints the link)',
  });
  ttl = Option.String('--ttl', '120', {
    description: 'Seconds the link stays valid (30 to 600)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(30, 600)]),
  });

  protected async run(): Promise<void> {
    const login = await this.withLocalClient((client) =>
      client.auth.createLogin.mutate({ ttlSeconds: Number(this.ttl) }),
    );
    let opened = false;
    if (this.open) {
      const page = dataPaths(this.home).dashboardLoginPage;
      writePrivateFileAtomic(page, loginPage(login.link));
      opened = openInBrowser(page, this.context.env);
    }
    const until = new Date(login.expiresAt).toLocaleTimeString();
    this.output({ link: login.link, expiresAt: login.expiresAt, opened }, () =>
      [
        `Dashboard login (works once, until ${until}):`,
        `  ${login.link}`,
        opened
          ? 'Opened in your browser; if nothing appeared, open the link above.'
          : this.open
            ? 'No browser opener found (xdg-open or open); open the link above in your browser.'
            : 'Open the link above in your browser.',
      ].join('\n'),
    );
  }
}

/** A page that forwards to the link: opening a file keeps the secret out of the opener's arguments. */
function loginPage(link: string): string {
  const target = JSON.stringify(link).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    '<title>Loopsy dashboard</title>',
    '<p>Opening the Loopsy dashboard…</p>',
    `<script>location.replace(${target});</script>`,
    '',
  ].join('\n');
}
