import { describe, expect, it } from 'vitest';
import { inspectorFailure } from '../../../src/runtime/classroom/inspector.ts';
import { INSPECTOR_UNREACHABLE } from '../../../src/runtime/classroom/words.ts';

const answering = (body: unknown): typeof fetch => (async () => new Response(JSON.stringify(body))) as unknown as typeof fetch;

describe('inspectorFailure', () => {
  it('says to sign in when the companion serves a class this browser has not signed in to', async () => {
    const asked: string[] = [];
    const fetchMe = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ classroom: true, learner: null, teacher: false }));
    }) as unknown as typeof fetch;
    expect(await inspectorFailure('http://class.lan:8080', fetchMe)).toBe(
      'This course is served to a class: sign in at http://class.lan:8080/classroom/ (in this browser), then run again.',
    );
    expect(asked).toEqual(['http://class.lan:8080/api/classroom/me']);
  });

  it('says the inspector is unreachable when signed in, outside a class, on a malformed answer, or with no companion', async () => {
    expect(await inspectorFailure('http://x', answering({ classroom: true, learner: { id: 'a', name: 'A' }, teacher: false }))).toBe(INSPECTOR_UNREACHABLE);
    expect(await inspectorFailure('http://x', answering({ classroom: false, learner: null, teacher: false }))).toBe(INSPECTOR_UNREACHABLE);
    expect(await inspectorFailure('http://x', answering({ nonsense: 1 }))).toBe(INSPECTOR_UNREACHABLE);
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await inspectorFailure('http://x', down)).toBe(INSPECTOR_UNREACHABLE);
  });
});
