import { randomBytes } from 'node:crypto';
import { CLASSROOM_COOKIES } from '../../protocol/classroom.ts';

/**
 * What of a client's upgrade request reaches learner code. A lab's handler
 * reads the request (the origin-check lab is about its headers), but a
 * browser sends the companion's own credentials with it: the learner's or
 * teacher's sign-in cookie (the teacher's is the teacher key), and scripts
 * an `Authorization: Bearer` for the companion. Those, and the check's key,
 * never reach a handler; every other header goes as sent, in order and spelling.
 */
export const CHECK_KEY_HEADER = 'x-fd-lab-check';

/**
 * The header the companion adds when it hands a connection to a lab server
 * on a loopback port (nginx, a Node child), with that server's own key: the
 * server refuses any connection without it, so another lab's code cannot
 * reach it on 127.0.0.1 past the companion's owner check. Taken out before
 * the learner's handler runs.
 */
export const LAB_KEY_HEADER = 'x-fd-lab-key';

/** A new lab server's key (144 random bits), sent as LAB_KEY_HEADER. */
export function newLabKey(): string {
  return randomBytes(18).toString('base64url');
}

const COMPANION_COOKIES = new Set<string>(Object.values(CLASSROOM_COOKIES));
const DROPPED = new Set([CHECK_KEY_HEADER, LAB_KEY_HEADER, 'authorization']);

/** A Cookie header's value without the companion's cookies; null when none is left. */
export function learnerCookie(value: string): string | null {
  const kept = value
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && !COMPANION_COOKIES.has((pair.split('=', 1)[0] as string).trim()));
  return kept.length > 0 ? kept.join('; ') : null;
}

/** `rawHeaders` (name, value, name, value …) as learner code may see them. */
export function learnerRawHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) continue;
    if (lower === 'cookie') {
      const value = learnerCookie(raw[i + 1] as string);
      if (value !== null) out.push(name, value);
      continue;
    }
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

/** Takes out of a request, in place, what learner code may not see (rawHeaders, and headers to match). */
export function stripForLearner(req: { rawHeaders: string[]; headers: Record<string, string | string[] | undefined> }): void {
  req.rawHeaders.splice(0, req.rawHeaders.length, ...learnerRawHeaders(req.rawHeaders));
  for (const name of DROPPED) Reflect.deleteProperty(req.headers, name);
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if ((req.rawHeaders[i] as string).toLowerCase() === 'cookie') cookies.push(req.rawHeaders[i + 1] as string);
  if (cookies.length > 0) req.headers['cookie'] = cookies.join('; ');
  else delete req.headers['cookie'];
}
