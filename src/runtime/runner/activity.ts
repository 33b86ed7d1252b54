/**
 * Knows whether a run can still do anything: the top-level code has not
 * finished, a timer is pending, or a socket is not yet closed. When none is
 * left the run is over and the sandbox says so, which ends the run as
 * "finished" rather than leaving it open until Stop.
 */
export class Activity {
  #topLevelDone = false;
  readonly #timers = new Set<unknown>();
  #openSockets = 0;

  topLevelFinished(): void {
    this.#topLevelDone = true;
  }
  timerStarted(id: unknown): void {
    this.#timers.add(id);
  }
  timerEnded(id: unknown): void {
    this.#timers.delete(id);
  }
  socketOpened(): void {
    this.#openSockets += 1;
  }
  socketClosed(): void {
    this.#openSockets -= 1;
  }
  get idle(): boolean {
    return this.#topLevelDone && this.#timers.size === 0 && this.#openSockets === 0;
  }
}
