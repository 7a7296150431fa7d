// Owns what every per-laptop screen does on mount: find the laptop of `?d=`, watch the link, and follow one
// resumable stream whose events mean "reload" (with a short debounce so a burst reloads once).
import { page } from '$app/state';
import { errorMessage } from './connection.js';
import { laptopFromUrl, type OpenLaptop } from './laptop.js';
import { LinkStatus } from './link-status.svelte.js';

export interface Subscription {
  unsubscribe(): void;
}

export interface StreamHandlers {
  onStarted: () => void;
  onData: () => void;
  onConnectionStateChange: LinkStatus['onSocket'];
  onError: (err: unknown) => void;
}

export class LaptopScreen {
  readonly link = new LinkStatus();
  laptop = $state<OpenLaptop | undefined>();
  missing = $state(false);
  problem = $state<string | undefined>();

  /**
   * Opens the laptop, then `load()`s it and keeps it fresh through `follow` (a subscription whose events
   * mean "reload"), if given. Returns the cleanup function for onMount.
   */
  open(
    load: (laptop: OpenLaptop) => Promise<void>,
    follow?: (laptop: OpenLaptop, handlers: StreamHandlers) => Subscription,
  ): () => void {
    let sub: Subscription | undefined;
    let stopWatch: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const reload = (laptop: OpenLaptop): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        load(laptop).then(
          () => (this.problem = undefined),
          (err: unknown) => (this.problem = errorMessage(err)),
        );
      }, 50);
    };
    void (async () => {
      const laptop = await laptopFromUrl(page.url);
      if (closed) return;
      if (!laptop) {
        this.missing = true;
        return;
      }
      this.laptop = laptop;
      stopWatch = this.link.watch(laptop.client);
      if (!follow) {
        reload(laptop);
        return;
      }
      sub = follow(laptop, {
        onStarted: () => {
          this.link.apply({ type: 'started' });
          reload(laptop);
        },
        onData: () => reload(laptop),
        onConnectionStateChange: this.link.onSocket,
        onError: (err) => {
          this.link.apply({ type: 'failed' });
          this.problem = errorMessage(err);
        },
      });
    })();
    return () => {
      closed = true;
      clearTimeout(timer);
      sub?.unsubscribe();
      stopWatch?.();
    };
  }

  /** Loads again now (a Refresh button, a changed filter), showing an error instead of throwing. */
  async refresh(load: (laptop: OpenLaptop) => Promise<void>): Promise<void> {
    const laptop = this.laptop;
    if (laptop) await this.act(() => load(laptop));
  }

  /** Runs an action, showing its error instead of throwing. */
  async act(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      this.problem = undefined;
      return true;
    } catch (err) {
      this.problem = errorMessage(err);
      return false;
    }
  }
}
