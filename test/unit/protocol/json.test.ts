import { z } from 'zod';
import * as zm from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { parseJson, parseJsonOrNull } from '../../../protocol/json.ts';

const classic = z.object({ name: z.string().min(1) });
const mini = zm.object({ name: zm.string().check(zm.minLength(1)) });

describe('parseJson', () => {
  it.each([
    ['zod', classic],
    ['zod/mini', mini],
  ] as const)('with a %s schema: the value, "json" for text that is not JSON, "schema" with the issues for the wrong shape', (_name, schema) => {
    expect(parseJson('{"name":"alice"}', schema)).toEqual({ ok: true, value: { name: 'alice' } });
    expect(parseJson('{"name":', schema)).toEqual({ ok: false, reason: 'json' });
    const wrong = parseJson('{"name":""}', schema);
    expect(wrong.ok).toBe(false);
    expect(wrong.ok === false && wrong.reason).toBe('schema');
    expect(wrong.ok === false && wrong.reason === 'schema' && wrong.issues.map((i) => i.path)).toEqual([['name']]);
  });

  it('parseJsonOrNull: the value or null', () => {
    expect(parseJsonOrNull('{"name":"bob"}', mini)).toEqual({ name: 'bob' });
    expect(parseJsonOrNull('not json', mini)).toBeNull();
    expect(parseJsonOrNull('[]', mini)).toBeNull();
  });
});
