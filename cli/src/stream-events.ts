// Owns following a daemon subscription from the CLI: until Ctrl-C, until the caller has seen enough, or an error.

/** The event type of a subscription's output (`RouterOutputs['x']['onY']`), without the tracked id. */
export type StreamEventOf<O> =
  O extends AsyncIterable<infer E> ? (E extends { data: infer D } ? D : never) : never;

interface Unsubscribable {
  unsubscribe(): void;
}

export interface StreamHandlers<T> {
  onData: (value: { id: string; data: T }) => void;
  onError: (err: Error) => void;
  onComplete: () => void;
}

/**
 * Subscribes with `subscribe` and hands each event to `onEvent` until it returns true (enough seen), the user
 * presses Ctrl-C (resolves 'interrupted') or the stream ends. The SDK's WebSocket link resubscribes after a
 * reconnect with the last event id, so nothing is repeated or lost meanwhile.
 */
export function followStream<T>(
  subscribe: (handlers: StreamHandlers<T>) => Unsubscribable,
  onEvent: (id: string, event: T) => boolean,
): Promise<'done' | 'interrupted' | 'ended'> {
  return new Promise((resolve, reject) => {
    // Set once subscribe() returns; an event delivered during the call itself finds it unset.
    const opened: { subscription?: Unsubscribable } = {};
    let finished = false;
    const finish = (how: 'done' | 'interrupted' | 'ended', err?: Error): void => {
      if (finished) return;
      finished = true;
      process.off('SIGINT', onInterrupt);
      opened.subscription?.unsubscribe();
      if (err !== undefined) reject(err);
      else resolve(how);
    };
    const onInterrupt = (): void => finish('interrupted');
    process.on('SIGINT', onInterrupt);
    opened.subscription = subscribe({
      onData: ({ id, data }) => {
        if (!finished && onEvent(id, data)) finish('done');
      },
      onError: (err) => finish('ended', err),
      onComplete: () => finish('ended'),
    });
    // The first event may arrive before subscribe() returned (a replay); close what was opened then.
    if (finished) opened.subscription.unsubscribe();
  });
}
