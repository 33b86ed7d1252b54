import type * as Y from 'yjs';

/**
 * Binds a Y.Text to a plain text surface (a textarea, or a fake in tests).
 * A surface only tells its whole value, so a local change is found by
 * comparing that value with the Y.Text and applied as one delete and one
 * insert. A remote change arrives as a delta (retain, insert, delete) and
 * moves the learner's selection with the text around it.
 */
export interface Surface {
  readonly value: string;
  readonly selectionStart: number;
  readonly selectionEnd: number;
  /** Shows `value` with the selection at [start, end]. */
  replace(value: string, start: number, end: number): void;
}

export type Delta = readonly { insert?: unknown; retain?: number; delete?: number }[];

/**
 * The one contiguous change that turns `before` into `after`, from the common
 * prefix and suffix. `caret` (where the selection ends after the change)
 * settles ambiguous cases: typing "a" into "aa" at 0 is an insert at 0, not 2.
 */
export function diff(before: string, after: string, caret = after.length): { pos: number; remove: number; insert: string } | null {
  if (before === after) return null;
  let prefix = 0;
  const maxPrefix = Math.min(before.length, after.length);
  while (prefix < maxPrefix && before[prefix] === after[prefix]) prefix++;
  // The change ends at or before the caret: don't let the prefix run past it.
  prefix = Math.min(prefix, Math.max(0, caret - Math.max(0, after.length - before.length)));
  let suffix = 0;
  const maxSuffix = Math.min(before.length, after.length) - prefix;
  while (suffix < maxSuffix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return { pos: prefix, remove: before.length - prefix - suffix, insert: after.slice(prefix, after.length - suffix) };
}

/**
 * Where an index moves when `delta` is applied. Text inserted exactly at the
 * index goes after it (a caret stays at the end of what its owner typed),
 * unless `before` says the index belongs to the text after it (the start of
 * a selection, which keeps covering what it covered); an index inside
 * deleted text moves to where the deletion was.
 */
export function moveThroughDelta(index: number, delta: Delta, before = false): number {
  let oldPos = 0;
  let shift = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      if (oldPos >= index) break;
      oldPos += op.retain;
    } else if (op.delete !== undefined) {
      if (oldPos >= index) break;
      shift -= Math.min(op.delete, index - oldPos);
      oldPos += op.delete;
    } else if (op.insert !== undefined) {
      if (oldPos > index || (oldPos === index && !before)) break;
      shift += typeof op.insert === 'string' ? op.insert.length : 1;
    }
  }
  return Math.max(0, index + shift);
}

/** `text` with `delta` applied (string inserts only: a Y.Text holding plain text). */
export function applyDelta(text: string, delta: Delta): string {
  let out = '';
  let at = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      out += text.slice(at, at + op.retain);
      at += op.retain;
    } else if (op.delete !== undefined) at += op.delete;
    else if (typeof op.insert === 'string') out += op.insert;
  }
  return out + text.slice(at);
}

export class TextBinding {
  readonly #text: Y.Text;
  readonly #surface: Surface;
  readonly #observer: (event: Y.YTextEvent, transaction: Y.Transaction) => void;
  /**
   * The Y.Text's content as a string, kept up to date from the same changes:
   * Y.Text's toString() walks every item, which grows with the document's
   * history, and would run on every keystroke.
   */
  #shown: string;

  constructor(text: Y.Text, surface: Surface) {
    this.#text = text;
    this.#surface = surface;
    this.#shown = text.toString();
    this.#observer = (event, transaction) => {
      // Our own typing is already on the surface.
      if (transaction.origin === this) return;
      const delta = event.delta as Delta;
      this.#shown = applyDelta(this.#shown, delta);
      const { selectionStart, selectionEnd } = this.#surface;
      // A selection keeps covering its text; a caret stays after what its owner typed.
      const start = moveThroughDelta(selectionStart, delta, selectionStart !== selectionEnd);
      const end = moveThroughDelta(selectionEnd, delta);
      this.#surface.replace(this.#shown, start, end);
    };
    text.observe(this.#observer);
    surface.replace(this.#shown, surface.selectionStart, surface.selectionEnd);
  }

  /** The surface changed (an input event): put the change into the Y.Text. */
  typed(): void {
    const value = this.#surface.value;
    const change = diff(this.#shown, value, this.#surface.selectionEnd);
    if (!change) return;
    this.#shown = value;
    const doc = this.#text.doc;
    const apply = (): void => {
      if (change.remove > 0) this.#text.delete(change.pos, change.remove);
      if (change.insert !== '') this.#text.insert(change.pos, change.insert);
    };
    if (doc) doc.transact(apply, this);
    else apply();
  }

  destroy(): void {
    this.#text.unobserve(this.#observer);
  }
}
