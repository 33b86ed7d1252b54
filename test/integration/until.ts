/**
 * Waits until `check` holds, polling every 20 ms. It has no deadline of its own: the test's
 * timeout bounds it. A budget here (these waits once gave up after 2–5 s and let the test carry
 * on with a reply missing) is a wall-clock guess that a busy runner overruns.
 */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}
