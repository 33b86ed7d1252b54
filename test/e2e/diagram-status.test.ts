import type { Locator } from 'playwright-core';
import { expect, it } from 'vitest';
import { DIAGRAM_STATUS, labEndedStatus } from '../../src/runtime/diagram/status.ts';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * A live diagram's status line names what it draws. Under a server lab it
 * speaks of the lab and its check, not of "the playground above", and it
 * ends when the check ends instead of saying "Drawing…" for ever; under a
 * playground on the same page it keeps the playground's words.
 */
const LESSON = '/lessons/echo-server/';
const CHECK_MS = 60_000;

describeBrowser('live diagram status lines', () => {
  const env = useBrowser();

  it('under the echo lab: the lab texts before, during and after its check; the playground diagram keeps its own', async () => {
    const { page, consoleErrors } = await env.newPage();
    await load(page, `${env.origin}${LESSON}`);
    const labStatus: Locator = page.locator('#lab-echo-diagram').getByRole('status');
    const playgroundStatus: Locator = page.locator('#echo-payload-limit-diagram').getByRole('status');
    expect(await labStatus.textContent()).toBe("Run the lab above: its check's clients connect to your server, and every frame between them appears here.");
    expect(await playgroundStatus.textContent()).toBe('Run the playground above: every frame between it and the server appears here.');
    expect(await labStatus.textContent()).toBe(DIAGRAM_STATUS.lab.waiting);

    const lab = page.getByRole('region', { name: 'Server lab: An echo server' });
    await lab.getByRole('button', { name: 'Run', exact: true }).click();
    // The unchanged starter fails its check; either way the check has ended, and the diagram says so.
    await lab.locator('[data-verdict]').getByText(/^Check failed: \d+ of \d+ cases failed\.$/).waitFor({ timeout: CHECK_MS });
    await expect.poll(() => labStatus.textContent(), { timeout: 15_000 }).toBe(
      'Check finished: every frame between its clients and your server is drawn below; the verdict is in the lab above.',
    );
    expect(await page.locator('#lab-echo-diagram').getByRole('list', { name: 'Frames' }).getByRole('listitem').count()).toBeGreaterThan(0);
    // Stopping the lab's server afterwards does not rewrite how the check ended.
    await lab.getByRole('button', { name: 'Stop', exact: true }).click();
    await lab.getByRole('status').getByText('Stopped: your server and its connections are closed.').waitFor({ timeout: 10_000 });
    expect(await labStatus.textContent()).toBe(labEndedStatus('finished'));
    // The playground's diagram on the same page was never touched.
    expect(await playgroundStatus.textContent()).toBe(DIAGRAM_STATUS.playground.waiting);
    expect(consoleErrors).toEqual([]);
  });
});
