/**
 * Text that should be JSON of a known shape, read one way everywhere: parse,
 * then validate with the shape's schema. Either step failing is an answer,
 * never an exception. Typed by the schema's `safeParse` alone, so this module
 * loads no zod of its own and works with `zod` and `zod/mini` schemas alike.
 */
export interface JsonSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: readonly JsonIssue[] } };
}

export interface JsonIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type JsonResult<T> =
  | { ok: true; value: T }
  /** Not JSON at all. */
  | { ok: false; reason: 'json' }
  /** JSON, but not of the schema's shape. */
  | { ok: false; reason: 'schema'; issues: readonly JsonIssue[] };

export function parseJson<T>(text: string, schema: JsonSchema<T>): JsonResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'json' };
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: 'schema', issues: parsed.error.issues };
}

/** The value, or null when the text is not JSON of that shape. */
export function parseJsonOrNull<T>(text: string, schema: JsonSchema<T>): T | null {
  const result = parseJson(text, schema);
  return result.ok ? result.value : null;
}
