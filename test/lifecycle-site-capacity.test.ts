import { afterEach, describe, expect, it } from 'vitest';
import { isEdgeplaneError } from '../src/errors';
import { CONFIG_VALUE_MAX_CHARS } from '../src/site-config';
import { SiteConfigSchema } from '../src/site-config-schema';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { configStoreNamed } from './support/sim-control';

// The `site` value holds every host of a service, and Fastly keeps a Config Store value of at most
// 8,000 characters: a host that would not fit is refused at attach, never after its certificate.
// Real gateway, simulator over 127.0.0.1.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

/** Long names (about 190 characters), so few hosts fill the value. */
const longHost = (index: number) => `h${index}-${'x'.repeat(50)}.${'y'.repeat(60)}.${'z'.repeat(60)}.example`;

async function attachUntilRefused(): Promise<{ accepted: string[]; refusal: unknown }> {
  const accepted: string[] = [];
  for (let index = 0; index < 100; index++) {
    try {
      await harness.opened.controlPlane.attachDomain('toot', { domain: longHost(index), role: 'static' });
      accepted.push(longHost(index));
    } catch (refusal) {
      return { accepted, refusal };
    }
  }
  throw new Error('100 long hosts were all accepted: the edge config would be far over 8,000 characters');
}

describe('a service whose edge config is full', () => {
  it('refuses one host more with 409 naming the limit; every accepted host goes live; a cancelled host frees its room', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));

    const { accepted, refusal } = await attachUntilRefused();
    expect(accepted.length).toBeGreaterThan(10);
    expect(isEdgeplaneError(refusal) && refusal.code).toBe('conflict');
    expect((refusal as Error).message).toMatch(/edge config of service "toot" would be \d+ characters with \d+ hosts, over Fastly's limit of 8000/);

    for (const host of accepted) await harness.tickUntil('toot', host, 'cached', { maxTicks: 400 });
    const state = await harness.state();
    const site = configStoreNamed(state, 'edgeplane-toot').items.site ?? '';
    expect(site.length).toBeLessThanOrEqual(CONFIG_VALUE_MAX_CHARS);
    expect(Object.keys(SiteConfigSchema.parse(JSON.parse(site)).hosts).sort()).toEqual([...accepted].sort());

    const refusedHost = longHost(accepted.length);
    await controlPlane.removeDomain('toot', accepted[0]!);
    await expect(controlPlane.attachDomain('toot', { domain: refusedHost, role: 'static' })).resolves.toMatchObject({ state: 'queued' });
  });
});
