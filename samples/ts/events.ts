// A registry of named events: register handlers, trigger an event with
// arguments, and every handler for it runs in the order it was registered.
type Handler<Args extends unknown[]> = (...args: Args) => void;
type HandlerLists<Events extends Record<string, unknown[]>> = {
  [Name in keyof Events]?: Handler<Events[Name]>[];
};

export class EventRegistry<Events extends Record<string, unknown[]>> {
  private readonly handlers: HandlerLists<Events> = {};

  /** Registers a handler; the returned function unregisters it. */
  on<Name extends keyof Events>(name: Name, handler: Handler<Events[Name]>): () => void {
    this.handlers[name] = [...(this.handlers[name] ?? []), handler];
    return () => this.off(name, handler);
  }

  off<Name extends keyof Events>(name: Name, handler: Handler<Events[Name]>): void {
    this.handlers[name] = (this.handlers[name] ?? []).filter((h) => h !== handler);
  }

  /** Runs every handler; a failing one is reported and does not stop the rest. */
  trigger<Name extends keyof Events>(name: Name, ...args: Events[Name]): number {
    let ran = 0;
    // on/off replace the array instead of changing it, so a handler that
    // unregisters itself does not disturb this loop.
    for (const handler of this.handlers[name] ?? []) {
      try {
        handler(...args);
        ran += 1;
      } catch (error) {
        console.error(`handler for '${String(name)}' failed: ${(error as Error).message}`);
      }
    }
    return ran;
  }
}
