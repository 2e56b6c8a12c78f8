import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCli } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';

// The operator page in a real browser: Debian's chromium, driven by playwright-core, against
// `edgeplane start` (the seed story on the simulator). It logs in with the form, clicks "Retry now"
// on the domain that waits for the previous account, and watches it reach cached without reloading
// the page. Screenshots go to test/output/ui-browser/.

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(import.meta.dirname, 'output', 'ui-browser');
// The previous account lets go late enough for the test to see the domain wait and retry it.
const TIMINGS = [
  '--let-go-after',
  '15s',
  '--release-delay',
  '1s',
  '--tls-delay',
  '300ms',
  '--retry-initial',
  '4s',
  '--retry-max',
  '8s',
  '--poll-interval',
  '100ms',
];
const ANY_PORT = ['--api-port', '0', '--sim-port', '0', '--origin-port', '0', '--edge-port', '0'];

let dir: string;
let context: BrowserContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-browser-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS });
});
afterAll(async () => {
  await context?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('logs in, retries the waiting domain and watches the story reach cached live', async () => {
  const start = spawnCli(['start', '--package', await makeEdgePackage(dir), '--data-dir', join(dir, 'data'), ...TIMINGS, ...ANY_PORT], {});
  try {
    const apiUrl = /(http:\/\/[\d.:]+)/.exec(await start.waitForLine((line) => line.startsWith('  control plane API')))![1]!;
    const token = (await start.waitForLine((line) => line.startsWith('  API token'))).trim().split(/\s+/)[2]!;
    const page = await context.newPage();

    // A browser without a session gets the login form, for the docs too.
    await page.goto(`${apiUrl}/docs`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/ui');
    await page.getByLabel('API token').fill('not-the-token-0000000');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('That token is not valid.');
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${apiUrl}/docs`);
    expect(await page.locator('h1').first().textContent()).toMatch(/edgeplane control plane/);
    const cookies = await context.cookies(apiUrl);
    expect(cookies.find((cookie) => cookie.name === 'edgeplane_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    await page.goto(`${apiUrl}/ui`);
    // Marks this document: it must still be the same one when the story has ended.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const main = page.locator('article.domain[data-domain="toot.example"]');
    await main.and(page.locator('[data-state="waiting_for_release"]')).waitFor({ timeout: 60_000 });
    await page.getByRole('status').filter({ hasText: /^Live/ }).waitFor();
    expect(await main.locator('.error').textContent()).toMatch(/owned by another customer/);
    expect(await main.locator('.countdown').textContent()).toMatch(/^(in \d+s|due now)$/);
    await page.screenshot({ path: join(SCREENSHOTS, '1-waiting.png'), fullPage: true });

    await main.getByRole('button', { name: 'Retry now' }).click();
    await main.getByText('History').click();
    await main.getByText('Retry requested by the operator').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOTS, '2-retried.png'), fullPage: true });

    await main.and(page.locator('[data-state="cached"]')).waitFor({ timeout: 120_000 });
    expect(await main.locator('.state').textContent()).toBe('cached');
    expect(await main.locator('details').getAttribute('open')).not.toBeNull();
    expect(
      await main
        .locator('table')
        .getByRole('button', { name: /^Copy CNAME record/ })
        .count(),
    ).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, '3-cached.png'), fullPage: true });

    // The stack stops cleanly with the live page still connected.
    expect(await start.stop('SIGINT')).toBe(0);
  } finally {
    await start.stop('SIGKILL');
  }
}, 240_000);
