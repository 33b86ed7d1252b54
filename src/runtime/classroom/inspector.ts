import { CLASSROOM_PATHS, meResponseSchema, type MeResponse } from '../../../protocol/classroom.ts';
import { inspectorProblem } from './words.ts';

/**
 * Why a live diagram's inspector failed, in words. In a class it is usually
 * "sign in", which the companion's /api/classroom/me tells. The diagram loads
 * this module only when its inspector fails: it brings the classroom schemas
 * (zod), 13.6 KB gzip that no working diagram needs.
 */
export async function inspectorFailure(origin: string, fetchMe: typeof fetch = fetch): Promise<string> {
  let me: MeResponse | null = null;
  try {
    const parsed = meResponseSchema.safeParse(await (await fetchMe(`${origin}${CLASSROOM_PATHS.me}`)).json());
    if (parsed.success) me = parsed.data;
  } catch {
    // No companion at all: the default sentence says to start it.
  }
  return inspectorProblem(me, `${origin}${CLASSROOM_PATHS.signInPage}`);
}
