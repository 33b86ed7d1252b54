// A registry of named events: register handlers, trigger an event with
// arguments, and every handler for it runs in the order it was registered.
type Handler<Args extends unknown[]> = (...args: Args) => void;

export class EventRegistry<Events extends Record<string, unknown[]>> {
  private readonly handlers = new Map<keyof Events, Handler<never[]>[]>();

  /** Registers a handler; the returned function unregisters it. */
  on<Name extends keyof Events>(name: Name, handler: Handler<Events[Name]>): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as Handler<never[]>);
    this.handlers.set(name, list);
    return () => this.off(name, handler);
  }

  off<Name extends keyof Events>(name: Name, handler: Handler<Events[Name]>): void {
    const list = this.handlers.get(name) ?? [];
    this.handlers.set(
      name,
      list.filter((h) => h !== (handler as Handler<never[]>)),
    );
  }

  /** Runs every handler; a failing one is reported and does not stop the rest. */
  trigger<Name extends keyof Events>(name: Name, ...args: Events[Name]): number {
    let ran = 0;
    // A copy: a handler may unregister itself while we iterate.
    for (const handler of [...(this.handlers.get(name) ?? [])]) {
      try {
        (handler as Handler<Events[Name]>)(...args);
        ran += 1;
      } catch (error) {
        console.error(`handler for '${String(name)}' failed: ${(error as Error).message}`);
      }
    }
    return ran;
  }
}
