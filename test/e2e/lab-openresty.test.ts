import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPENRESTY_INSTALL, openRestyMissing } from '../../server/labs/openresty/engine.ts';
import { describeBrowser, load, useBrowser } from './harness.ts';

/**
 * The echo lab on real nginx (`--lua-engine openresty`): the same page, the
 * learner's fix typed into Monaco passes the check, the lab names the engine
 * with both versions, and nginx's own error.log has no [error], [alert],
 * [crit] or [emerg] line after the scenario.
 */
const missing = openRestyMissing();
if (missing.length > 0 && process.env['CI'] === 'true') throw new Error(`CI=true and the OpenResty lab e2e needs ${missing.join(', ')}: ${OPENRESTY_INSTALL}`);
if (missing.length > 0) {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n!! SKIPPING the OpenResty lab e2e: missing ${missing.join(', ')}.\n!! Install with: ${OPENRESTY_INSTALL}\n${bar}\n\n`);
}
const describeIf = missing.length > 0 ? describe.skip : describeBrowser;

const LESSON = '/lessons/echo-server/';
const SOLUTION = readFileSync(new URL('../../labs/echo/solution.lua', import.meta.url), 'utf8');
const CHECK_MS = 90_000;

// Each lab's nginx keeps its prefix (conf, logs) in a temporary folder: a folder of this file's own,
// so the test reads its nginx's error.log and no other engineer's or run's.
const previousTmp = process.env['TMPDIR'];
const labTmp = mkdtempSync(join(tmpdir(), 'fd-e2e-openresty-'));
// mkdtemp makes it 0700; nginx's workers run as nobody when the tests run as root, and must reach the lab's files.
chmodSync(labTmp, 0o755);
process.env['TMPDIR'] = labTmp;

function nginxErrorLogs(): string[] {
  return readdirSync(labTmp)
    .filter((name) => name.startsWith('full-duplex-lab-'))
    .map((name) => readFileSync(join(labTmp, name, 'logs', 'error.log'), 'utf8'));
}

describeIf('server lab on OpenResty', () => {
  // Registered before the harness's own: after-hooks run last-registered first, so the browser
  // (whose profile is in labTmp too) is closed before the folder goes.
  afterAll(() => {
    if (previousTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previousTmp;
    rmSync(labTmp, { recursive: true, force: true });
  });
  const env = useBrowser({ luaEngine: 'openresty' });

  it('a typed fix passes the echo check on nginx, the engine is named, and error.log stays clean', { timeout: 240_000 }, async () => {
    const { page, consoleErrors } = await env.newPage();
    await load(page, `${env.origin}${LESSON}`);
    const scope = page.getByRole('region', { name: 'Server lab: An echo server' });
    await scope.scrollIntoViewIfNeeded();
    await scope.locator('.monaco-editor').first().waitFor({ timeout: 30_000 });
    await scope.getByRole('textbox', { name: 'Your server (Lua)', exact: true }).focus();
    await page.keyboard.press('ControlOrMeta+A');
    // Typed as a person would, without indentation: Monaco indents each new line itself.
    await page.keyboard.insertText(SOLUTION.split('\n').map((line) => line.trimStart()).join('\n'));
    const run = scope.getByRole('button', { name: 'Run', exact: true });
    await run.focus();
    await page.keyboard.press('Enter');
    const verdict = scope.locator('[data-verdict]');
    await verdict.getByText(/^Check (passed|failed)/).waitFor({ timeout: CHECK_MS });
    // On a failure, the verdict says which case and step: the assertion shows it.
    expect(await verdict.innerText()).toMatch(/^Check passed: well done!/);
    const cases = await scope.getByRole('list', { name: 'Check cases' }).getByRole('listitem').allInnerTexts();
    expect(cases.length).toBe(5);
    expect(cases.every((c) => c.startsWith('Passed: '))).toBe(true);
    await expect.poll(() => scope.getByText(/^Engine: /).innerText()).toMatch(/^Engine: OpenResty: nginx \d+\.\d+\.\d+, lua-nginx-module \d+\.\d+\.\d+$/);
    await scope.screenshot({ path: new URL('../../reports/screenshots/server-lab-openresty.png', import.meta.url).pathname });
    const frames = page.locator('#lab-echo-diagram').getByRole('list', { name: 'Frames' });
    await frames.getByText('server → alice: text "hello"').first().waitFor({ timeout: 15_000 });

    // nginx's raw error.log (not the engine's parsed view): read while the lab server still runs,
    // after the check's last client has gone.
    const logs = nginxErrorLogs();
    expect(logs.length).toBe(1);
    const log = logs[0] ?? '';
    expect(log).toMatch(/\[notice\] \d+#\d+: start worker process/);
    expect(log.split('\n').filter((line) => /\[(error|alert|crit|emerg)\]/.test(line))).toEqual([]);

    await scope.getByRole('button', { name: 'Stop', exact: true }).click();
    await scope.getByRole('status').getByText('Stopped: your server and its connections are closed.').waitFor({ timeout: 10_000 });
    // Stop ends nginx, which removes its folder.
    await expect.poll(() => readdirSync(labTmp).filter((name) => name.startsWith('full-duplex-lab-')).length, { timeout: 10_000 }).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
