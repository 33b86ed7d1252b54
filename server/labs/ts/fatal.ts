/**
 * What Node prints on stderr when V8 ends the process, most often because the heap reached its cap:
 *
 *   (a blank line)
 *   <--- Last few GCs --->
 *   [pid:0x…]  192 ms: Mark-Compact 54.4 (71.8) -> 54.3 (87.8) MB, …
 *   FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
 *   ----- Native stack trace -----
 *    1: 0x931db0  [/path/to/node]
 *    … (some 15 lines of addresses)
 *
 * None of it is the learner's, and the one sentence that matters is lost in it. A V8Report takes a
 * lab's stderr lines one by one, passes the learner's own through, and holds the report back, so
 * that once the process has ended the engine can lead with what happened in words and keep only
 * V8's reason (the "FATAL ERROR" line). A blank line, or a lone "#", is held until the next line
 * shows whether a report begins with it.
 */

/** Lines that begin a report: the GC trace, V8's reason, the JavaScript or native stack, a failed check. */
const STARTS = [/^<--- Last few GCs --->$/, /^<--- JS stacktrace --->$/, /^FATAL ERROR: /, /^----- Native stack trace -----$/, /^# Fatal error in /];
/** V8's reason, the one line of a report kept ("# Fatal error in , line 0" names no reason: the line after it does). */
const REASON = /^(?:FATAL ERROR: |# Fatal (?!error in ))/;

export class V8Report {
  /** Whether a report began: everything on stderr after it is part of it. */
  started = false;
  /** V8's reason, e.g. "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory". */
  reason: string | null = null;
  /** Whether it began with the last few garbage collections, which V8 lists only when the heap ran out. */
  #gcTrace = false;
  #held: string[] = [];

  /** One stderr line: the lines to log now (none while it is held or part of a report). */
  take(text: string): string[] {
    if (!this.started && STARTS.some((start) => start.test(text))) {
      this.started = true;
      this.#gcTrace = text === '<--- Last few GCs --->';
      this.#held = [];
    }
    if (this.started) {
      if (this.reason === null && REASON.test(text)) this.reason = text.replace(/^# /, '');
      return [];
    }
    if (text === '' || text === '#') {
      this.#held.push(text);
      return [];
    }
    const out = [...this.#held, text];
    this.#held = [];
    return out;
  }

  /** The lines still held back that no report followed (the process ended, or the learner wrote them). */
  flush(): string[] {
    const out = this.#held;
    this.#held = [];
    return out;
  }

  /** The report says the heap ran out: in its reason, or (the reason lost) by its GC trace. */
  get outOfMemory(): boolean {
    if (!this.started) return false;
    return this.reason === null ? this.#gcTrace : /heap out of memory|heap limit/i.test(this.reason);
  }
}
