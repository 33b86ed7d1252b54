/**
 * Operational transformation for plain text, the core of the collaborative
 * editor project. An edit is a list of primitive operations applied in order;
 * positions count UTF-16 code units, as a textarea's selection does.
 *
 * `transform(a, b)` answers: `a` and `b` were made on the same document; `b`
 * has been applied; what does `a` become? Both copies then converge:
 * apply(apply(d, a), b') === apply(apply(d, b), a'). When both insert at the
 * same place, the edit that comes first in the server's order goes first.
 */
export type Op = { kind: 'insert'; pos: number; text: string } | { kind: 'delete'; pos: number; length: number };
export type Edit = readonly Op[];

export const insert = (pos: number, text: string): Op => ({ kind: 'insert', pos, text });
export const del = (pos: number, length: number): Op => ({ kind: 'delete', pos, length });

export class EditError extends Error {}

export function applyOp(doc: string, op: Op): string {
  if (op.pos < 0 || op.pos > doc.length) throw new EditError(`position ${op.pos} is outside a document of ${doc.length}`);
  if (op.kind === 'insert') return doc.slice(0, op.pos) + op.text + doc.slice(op.pos);
  if (op.pos + op.length > doc.length) throw new EditError(`deleting ${op.length} at ${op.pos} runs past the end (${doc.length})`);
  return doc.slice(0, op.pos) + doc.slice(op.pos + op.length);
}

export function apply(doc: string, edit: Edit): string {
  return edit.reduce(applyOp, doc);
}

/**
 * `x` rewritten to apply after `y`, both made on the same document. `xFirst`
 * breaks the tie when both insert at one position. A delete can split in two
 * (text was inserted inside its range) or vanish (`y` already deleted it all).
 */
function transformOp(x: Op, y: Op, xFirst: boolean): Op[] {
  if (x.kind === 'insert') {
    if (y.kind === 'insert') {
      return y.pos < x.pos || (y.pos === x.pos && !xFirst) ? [insert(x.pos + y.text.length, x.text)] : [x];
    }
    if (x.pos <= y.pos) return [x];
    // An insert inside a deleted range survives at the range's start.
    return [insert(Math.max(y.pos, x.pos - y.length), x.text)];
  }
  if (y.kind === 'insert') {
    if (y.pos >= x.pos + x.length) return [x];
    if (y.pos <= x.pos) return [del(x.pos + y.text.length, x.length)];
    // Text typed inside the range being deleted is kept: delete around it.
    const before = y.pos - x.pos;
    return [del(x.pos, before), del(x.pos + y.text.length, x.length - before)];
  }
  const overlap = Math.max(0, Math.min(x.pos + x.length, y.pos + y.length) - Math.max(x.pos, y.pos));
  const length = x.length - overlap;
  if (length === 0) return [];
  const shift = Math.max(0, Math.min(x.pos, y.pos + y.length) - y.pos);
  return [del(x.pos - shift, length)];
}

/**
 * Transforms two concurrent edits against each other: returns [a', b'] with
 * a' applying after b and b' after a. `aFirst` says which one the server put
 * first (it wins insert ties). Loops rather than slices: a buffer of typing
 * can hold hundreds of operations, and the cost must stay |a|·|b|.
 */
export function transform(a: Edit, b: Edit, aFirst: boolean): [Edit, Edit] {
  let rest: Edit = b;
  const out: Op[] = [];
  for (const x of a) {
    const [xs, next] = opPastEdit(x, rest, aFirst);
    out.push(...xs);
    rest = next;
  }
  return [out, rest];
}

/** One operation past a whole edit; both sides may split, so each step is edit against edit again. */
function opPastEdit(x: Op, ys: Edit, xFirst: boolean): [Op[], Op[]] {
  let xs: Op[] = [x];
  const out: Op[] = [];
  for (const y of ys) {
    let yParts: Op[] = [y];
    const xsNext: Op[] = [];
    for (const xi of xs) {
      if (yParts.length === 1) {
        const only = yParts[0] as Op;
        xsNext.push(...transformOp(xi, only, xFirst));
        yParts = transformOp(only, xi, !xFirst);
      } else {
        const [xiParts, yNext] = opPastEdit(xi, yParts, xFirst);
        xsNext.push(...xiParts);
        yParts = yNext;
      }
    }
    xs = xsNext;
    out.push(...yParts);
  }
  return [xs, out];
}

/**
 * The same edit with neighbouring operations merged where the result is
 * identical: typing "abc" is one insert, not three, and so is backspacing.
 * Keeps what waits to be sent, and what every later edit is transformed past, short.
 */
export function compact(edit: Edit): Edit {
  const out: Op[] = [];
  for (const op of edit) {
    const last = out[out.length - 1];
    const merged = last ? merge(last, op) : undefined;
    if (merged === undefined) out.push(op);
    else {
      out.pop();
      if (merged !== null) out.push(merged);
    }
  }
  return out;
}

/** `a` then `b` as one operation; null when they cancel out; undefined when they cannot merge. */
function merge(a: Op, b: Op): Op | null | undefined {
  if (a.kind === 'insert' && b.kind === 'insert') {
    if (b.pos >= a.pos && b.pos <= a.pos + a.text.length) {
      const at = b.pos - a.pos;
      return insert(a.pos, a.text.slice(0, at) + b.text + a.text.slice(at));
    }
    return undefined;
  }
  if (a.kind === 'delete' && b.kind === 'delete') {
    if (b.pos === a.pos) return del(a.pos, a.length + b.length);
    if (b.pos + b.length === a.pos) return del(b.pos, a.length + b.length);
    return undefined;
  }
  if (a.kind === 'insert' && b.kind === 'delete' && b.pos >= a.pos && b.pos + b.length <= a.pos + a.text.length) {
    const text = a.text.slice(0, b.pos - a.pos) + a.text.slice(b.pos - a.pos + b.length);
    return text === '' ? null : insert(a.pos, text);
  }
  return undefined;
}

/**
 * The edit that turns `before` into `after`, for a text field whose old and
 * new values are all we know: one contiguous change found from the common
 * prefix and suffix. `caret` (the selection end after the change) settles
 * ambiguous cases such as typing "a" into "aa".
 */
export function diff(before: string, after: string, caret = after.length): Edit {
  if (before === after) return [];
  let prefix = 0;
  const maxPrefix = Math.min(before.length, after.length);
  while (prefix < maxPrefix && before[prefix] === after[prefix]) prefix++;
  // The change ends at or before the caret: don't let the prefix run past it.
  const grew = after.length - before.length;
  prefix = Math.min(prefix, Math.max(0, caret - Math.max(0, grew)));
  let suffix = 0;
  const maxSuffix = Math.min(before.length, after.length) - prefix;
  while (suffix < maxSuffix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  const removed = before.length - prefix - suffix;
  const added = after.slice(prefix, after.length - suffix);
  const edit: Op[] = [];
  if (removed > 0) edit.push(del(prefix, removed));
  if (added.length > 0) edit.push(insert(prefix, added));
  return edit;
}

/** Where a caret at `pos` moves when `edit` is applied (inserts at the caret push it right when `after`). */
export function transformCaret(pos: number, edit: Edit, pushedByInsertAt = false): number {
  let at = pos;
  for (const op of edit) {
    if (op.kind === 'insert') {
      if (op.pos < at || (op.pos === at && pushedByInsertAt)) at += op.text.length;
    } else if (op.pos < at) {
      at -= Math.min(op.length, at - op.pos);
    }
  }
  return at;
}
