/**
 * Formats console arguments the way a browser console shows them on one
 * line: strings bare, everything else inspected, joined with spaces.
 * Bounded in depth and length so a huge or cyclic object cannot hang the run.
 */

const MAX_DEPTH = 3;
const MAX_ITEMS = 50;
const MAX_TEXT = 10_000;

function inspect(value: unknown, depth: number, seen: Set<object>): string {
  if (typeof value === 'string') return depth === 0 ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `[Function: ${value.name || '(anonymous)'}]`;
  const object = value as object;
  if (object instanceof Error) return `${object.name}: ${object.message}`;
  if (seen.has(object)) return '[Circular]';
  if (object instanceof ArrayBuffer) return `ArrayBuffer(${object.byteLength})`;
  if (typeof Blob !== 'undefined' && object instanceof Blob) return `Blob(${object.size})`;
  if (ArrayBuffer.isView(object)) return `${object.constructor.name}(${object.byteLength})`;
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? '[Array]' : '[Object]';
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object.slice(0, MAX_ITEMS).map((item) => inspect(item, depth + 1, seen));
      if (object.length > MAX_ITEMS) items.push(`… ${object.length - MAX_ITEMS} more`);
      return `[${items.join(', ')}]`;
    }
    if (object instanceof Map) {
      const items = [...object].slice(0, MAX_ITEMS).map(([k, v]) => `${inspect(k, depth + 1, seen)} => ${inspect(v, depth + 1, seen)}`);
      return `Map(${object.size}) {${items.join(', ')}}`;
    }
    if (object instanceof Set) {
      const items = [...object].slice(0, MAX_ITEMS).map((v) => inspect(v, depth + 1, seen));
      return `Set(${object.size}) {${items.join(', ')}}`;
    }
    if (typeof Event !== 'undefined' && object instanceof Event) return inspectEvent(object, depth, seen);
    const name = object.constructor && object.constructor !== Object ? `${object.constructor.name} ` : '';
    const entries = Object.entries(object).slice(0, MAX_ITEMS);
    const body = entries.map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inspect(v, depth + 1, seen)}`);
    return `${name}{${body.length ? ` ${body.join(', ')} ` : ''}}`;
  } finally {
    seen.delete(object);
  }
}

/** Events keep their useful fields on the prototype, so list those by hand. */
function inspectEvent(event: Event, depth: number, seen: Set<object>): string {
  const fields: [string, unknown][] = [['type', event.type]];
  const record = event as unknown as Record<string, unknown>;
  for (const key of ['data', 'code', 'reason', 'wasClean', 'message']) {
    if (key in event) fields.push([key, record[key]]);
  }
  const body = fields.map(([k, v]) => `${k}: ${inspect(v, depth + 1, seen)}`).join(', ');
  return `${event.constructor.name} { ${body} }`;
}

export function formatArgs(args: readonly unknown[]): string {
  const text = args.map((arg) => inspect(arg, 0, new Set())).join(' ');
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text;
}
