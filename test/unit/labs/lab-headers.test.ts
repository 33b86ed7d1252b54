import { describe, expect, it } from 'vitest';
import { CHECK_KEY_HEADER, LAB_KEY_HEADER, learnerCookie, learnerRawHeaders, stripForLearner } from '../../../server/labs/headers.ts';

describe('what of an upgrade request reaches learner code', () => {
  it('takes the companion\'s cookies out of a Cookie header and keeps the rest as sent', () => {
    expect(learnerCookie('fd-teacher=TeacherKey_abc; theme=dark; fd-learner=v1.xyz')).toBe('theme=dark');
    expect(learnerCookie('fd-learner=v1.xyz')).toBeNull();
    expect(learnerCookie('fd-teacher-ish=1;fd-learner =x; a=b=c')).toBe('fd-teacher-ish=1; a=b=c');
    expect(learnerCookie('flag; fd-teacher')).toBe('flag');
  });

  it('drops the check key, a lab key and any Authorization; keeps every other header in order and spelling', () => {
    expect(
      learnerRawHeaders([
        'Host', '127.0.0.1:8080',
        'Origin', 'http://localhost:8080',
        'Cookie', 'fd-teacher=TeacherKey_abc; session=1',
        'X-FD-Lab-Check', 'k1',
        'authorization', 'Bearer TeacherKey_abc',
        'X-Fd-Lab-Key', 'k2',
        'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==',
        'cookie', 'fd-learner=v1.abc',
      ]),
    ).toEqual(['Host', '127.0.0.1:8080', 'Origin', 'http://localhost:8080', 'Cookie', 'session=1', 'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']);
    expect([CHECK_KEY_HEADER, LAB_KEY_HEADER]).toEqual(['x-fd-lab-check', 'x-fd-lab-key']);
  });

  it('changes the request in place: rawHeaders and headers agree', () => {
    const req = {
      rawHeaders: ['Host', 'h', 'Cookie', 'fd-teacher=T; a=1', 'Authorization', 'Bearer T', 'Cookie', 'b=2', 'x-fd-lab-check', 'k'],
      headers: { host: 'h', cookie: 'fd-teacher=T; a=1; b=2', authorization: 'Bearer T', 'x-fd-lab-check': 'k' } as Record<string, string | undefined>,
    };
    stripForLearner(req);
    expect(req).toEqual({ rawHeaders: ['Host', 'h', 'Cookie', 'a=1', 'Cookie', 'b=2'], headers: { host: 'h', cookie: 'a=1; b=2' } });
    const only = { rawHeaders: ['Cookie', 'fd-learner=x'], headers: { cookie: 'fd-learner=x' } as Record<string, string | undefined> };
    stripForLearner(only);
    expect(only).toEqual({ rawHeaders: [], headers: {} });
  });
});
