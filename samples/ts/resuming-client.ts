// A feed client that survives dropped connections. It reconnects with
// exponential backoff and full jitter, and asks the server to replay what it
// missed: every event carries a sequence number, and the reconnect URL says
// `?since=<last one seen>`. Uses the standard WebSocket (browsers, Node 22+).
import { backoffDelay, type BackoffOptions } from './backoff.ts';

export interface FeedEvent {
  seq: number;
  [field: string]: unknown;
}

export interface FollowOptions {
  /** The feed's address, e.g. ws://localhost:8080/feed */
  url: string;
  onEvent: (event: FeedEvent) => void;
  backoff?: BackoffOptions;
}

export function follow({ url, onEvent, backoff = { baseMs: 500, maxMs: 30_000 } }: FollowOptions): { stop(): void } {
  let lastSeq = 0;
  let attempt = 0;
  let stopped = false;
  let socket: WebSocket | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;

  function connect(): void {
    const address = new URL(url);
    if (lastSeq > 0) address.searchParams.set('since', String(lastSeq));
    socket = new WebSocket(address);

    socket.onmessage = (message) => {
      const event: unknown = JSON.parse(String(message.data));
      if (typeof event !== 'object' || event === null || !('seq' in event) || typeof event.seq !== 'number') return;
      // Only a delivered event proves the server works: a server that accepts
      // and then fails straight away must not reset the backoff.
      attempt = 0;
      if (event.seq <= lastSeq) return; // seen before the reconnect
      lastSeq = event.seq;
      onEvent(event as FeedEvent);
    };

    // A failed connection attempt fires error then close, so close alone decides.
    socket.onclose = () => {
      if (stopped) return;
      retry = setTimeout(connect, backoffDelay(attempt, backoff));
      attempt += 1;
    };
  }

  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      socket?.close(1000);
    },
  };
}
