// Owns this daemon's use of a relay: its settings, the control link, pairing phones through it, and revoking them.
import { decodePairToken } from '@loopsy/relay/core';
import { toBase64Url, type KeyPair } from '@loopsy/relay/e2e';
import { Unavailable } from '../errors.js';
import { PairingSessions } from './pairing-sessions.js';
import type { PhoneInfo, PhoneRegistry } from './phone-registry.js';
import { RelayLink, type DialRequest, type RelayLinkStatus } from './relay-link.js';
import {
  readRelaySettings,
  registerDevice,
  writeRelaySettings,
  type RelaySettings,
} from './relay-settings.js';

export interface RelayServiceOptions {
  settingsFile: string;
  staticKeys: KeyPair;
  phones: PhoneRegistry;
  now?: () => number;
}

export interface PairingOffer {
  link: string;
  code: string;
  expiresAt: number;
}

export class RelayService {
  readonly pairings: PairingSessions;
  private link: RelayLink | undefined;
  private dialHandler: ((dial: DialRequest, link: RelayLink) => void) | undefined;
  private cutHandler: ((phoneId: string) => void) | undefined;

  constructor(private readonly opts: RelayServiceOptions) {
    this.pairings = new PairingSessions(opts.now);
  }

  get staticKeys(): KeyPair {
    return this.opts.staticKeys;
  }

  get phones(): PhoneRegistry {
    return this.opts.phones;
  }

  /** Set by the tunnel transport: what to do when the relay asks us to dial a data socket. */
  onDial(handler: (dial: DialRequest, link: RelayLink) => void): void {
    this.dialHandler = handler;
  }

  /** Set by the tunnel transport: close a phone's live tunnels. */
  onCut(handler: (phoneId: string) => void): void {
    this.cutHandler = handler;
  }

  /** Starts the link from relay.json, if this machine has one. */
  startFromSettings(): boolean {
    const settings = readRelaySettings(this.opts.settingsFile);
    if (!settings) return false;
    this.use(settings);
    return true;
  }

  /** Registers at a relay (a new device), saves the credential, and switches the link to it. */
  async configure(
    url: string,
    opts: { embedded?: boolean; registrationSecret?: string } = {},
  ): Promise<RelayLinkStatus | null> {
    const normalized = url.replace(/\/$/, '');
    const device = await registerDevice(normalized, opts.registrationSecret);
    const settings: RelaySettings = {
      url: normalized,
      ...device,
      embedded: opts.embedded ?? false,
    };
    writeRelaySettings(this.opts.settingsFile, settings);
    this.use(settings);
    return this.status();
  }

  /** Resolves once the control link is up (or after `timeoutMs`), so a pairing can be offered at start-up. */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.link?.status().state === 'connected') return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.link?.status().state === 'connected';
  }

  status(): RelayLinkStatus | null {
    return this.link?.status() ?? null;
  }

  async createPairing(ttlSeconds: number): Promise<PairingOffer> {
    const link = this.requireLink();
    const created = await link.request({ type: 'pair.create', ttlSeconds }, 'pair.created');
    const payload = decodePairToken(created.token);
    if (!payload) throw new Error('The relay returned a pairing token this daemon cannot read.');
    const code = this.pairings.open(payload.n, created.expiresAt);
    return {
      link: `${link.settings.url}/app#${created.token}.${toBase64Url(this.opts.staticKeys.publicKey)}`,
      code,
      expiresAt: created.expiresAt,
    };
  }

  /** Revokes a phone here, cuts its live tunnels, and asks the relay to forget it (best effort when offline). */
  async revokePhone(id: string): Promise<{ phone: PhoneInfo; relayNotified: boolean }> {
    const phone = this.opts.phones.revoke(id);
    if (!phone) throw new Unavailable(`No phone "${id}". List them with \`loopsy phone list\`.`);
    this.cutHandler?.(id);
    let relayNotified = false;
    if (this.link && this.link.settings.url === phone.relayUrl) {
      relayNotified = await this.link
        .request({ type: 'phone.remove', phoneId: phone.relayPhoneId }, 'phone.removed')
        .then(() => true)
        .catch(() => false);
    }
    return { phone, relayNotified };
  }

  stop(): void {
    this.link?.stop();
    this.link = undefined;
  }

  private use(settings: RelaySettings): void {
    this.link?.stop();
    const link = new RelayLink({
      settings,
      onDial: (dial) => this.dialHandler?.(dial, link),
      ...(this.opts.now ? { now: this.opts.now } : {}),
    });
    this.link = link;
    link.start();
  }

  private requireLink(): RelayLink {
    if (!this.link) {
      throw new Unavailable(
        'No relay is configured. Run `loopsy relay configure <url>` (or start the daemon without one to use its own).',
      );
    }
    return this.link;
  }
}
