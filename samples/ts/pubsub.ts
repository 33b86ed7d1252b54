// The one thing a fan-out server needs from "the outside": publish a message
// on a channel, and be told about every message published on it — by this
// process or any other. Two implementations: in memory (one process, tests)
// and Redis (redis-pubsub.ts, many processes and machines).
export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;
}

export class MemoryPubSub implements PubSub {
  readonly #channels = new Map<string, Set<(message: string) => void>>();

  async publish(channel: string, message: string): Promise<void> {
    for (const onMessage of this.#channels.get(channel) ?? []) onMessage(message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    const listeners = this.#channels.get(channel) ?? new Set();
    this.#channels.set(channel, listeners.add(onMessage));
    return async () => void listeners.delete(onMessage);
  }
}
