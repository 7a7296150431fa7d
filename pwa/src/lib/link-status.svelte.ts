// Owns a screen's view of its link to the laptop: state for the indicator, and the measured round trip.
import type { LoopsyClient } from '@loopsy/client-sdk';
import {
  nextConnectionState,
  type ConnectionEvent,
  type ConnectionState,
} from './connection-state.js';

const PROBE_EVERY_MS = 5_000;
const PROBE_TIMEOUT_MS = 4_000;

export class LinkStatus {
  state = $state<ConnectionState>('connecting');
  rttMs = $state<number | undefined>();

  apply(event: ConnectionEvent): void {
    this.state = nextConnectionState(this.state, event);
  }

  /** Adapts a tRPC subscription's connection-state callback. */
  readonly onSocket = (s: { state: 'idle' | 'connecting' | 'pending' }): void => {
    this.apply({ type: 'socket', state: s.state });
  };

  /**
   * Probes the laptop (system.health) every few seconds while the page is visible, and at once when it
   * becomes visible again or the network returns: the round trip for the indicator, and a stalled state
   * when a phone wakes up on a dead socket. Returns the stop function.
   */
  watch(client: LoopsyClient): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const probe = async (): Promise<void> => {
      clearTimeout(timer);
      if (stopped || document.visibilityState !== 'visible') return;
      const started = performance.now();
      const late = setTimeout(() => this.apply({ type: 'stalled' }), PROBE_TIMEOUT_MS);
      try {
        await client.system.health.query();
        this.rttMs = performance.now() - started;
        this.apply({ type: 'started' });
      } catch {
        this.rttMs = undefined;
      } finally {
        clearTimeout(late);
      }
      if (!stopped) timer = setTimeout(() => void probe(), PROBE_EVERY_MS);
    };
    const onVisible = (): void => void probe();
    const onOnline = (): void => {
      this.apply({ type: 'network', online: true });
      void probe();
    };
    const onOffline = (): void => this.apply({ type: 'network', online: false });
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    if (!navigator.onLine) onOffline();
    void probe();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }
}
