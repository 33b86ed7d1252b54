/**
 * The `Range` header of a static request (RFC 9110 §14), resolved against the
 * size of the file that will be sent. sirv (3.0.2, the latest) parses ranges
 * itself and gets them wrong: `bytes=5-3` or an end past 2^53 throws out of
 * `fs.createReadStream` and kills the process, `bytes=-5` sends the first six
 * bytes and `bytes=0-0` the whole file. So the static handler decides here
 * and sirv never sees the header.
 */
export type RangeDecision =
  /** Serve the whole file with 200: no range, a malformed one, or several (RFC 9110 lets a server ignore them). */
  | { kind: 'full' }
  /** 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' }
  /** 206 with these inclusive byte offsets. */
  | { kind: 'partial'; start: number; end: number };

const SPEC = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i;

export function resolveRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  // Multiple ranges would need multipart/byteranges; the whole file is a valid answer to them.
  const match = SPEC.exec(header);
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // Suffix range: the last N bytes. `bytes=-0` asks for nothing.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - Math.min(length, size)), end: size - 1 };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (last === '') return { kind: 'partial', start, end: size - 1 };
  const end = Number(last);
  // "first > last" is an invalid range-spec; RFC 9110 §15.5.17 lets 416 answer it. An end past the file is clamped.
  if (end < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
