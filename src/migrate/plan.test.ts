import { describe, expect, it } from 'vitest';
import { MigrationPlan, type OldAccountInventory, type OldService } from './model';
import { buildMigrationPlan, coverage } from './plan';

const edgeplaneService: OldService = {
  id: 'svc-old',
  name: 'toot',
  type: 'wasm',
  activeVersion: 4,
  domains: ['toot.example', 'files.toot.example', 'other.example'],
  backends: [
    { name: 'main_origin', address: 'lb.toot.example', port: 443, useSsl: true },
    { name: 'static_origin', address: 'bucket.s3.example', port: 443, useSsl: true, overrideHost: 'bucket.s3.example' },
  ],
  configStoreId: 'store-old',
  roles: { 'toot.example': 'main', 'files.toot.example': 'static' },
  cachingOn: ['toot.example', 'files.toot.example'],
  staticHostHeader: null,
  staticPathPrefix: '/toot-media',
};

function inventory(overrides: Partial<OldAccountInventory> = {}): OldAccountInventory {
  return {
    customer: { id: 'cust-old', name: 'Old account' },
    readAt: '2026-12-02T05:00:00.000Z',
    domains: ['toot.example', 'files.toot.example'],
    services: [edgeplaneService],
    tlsSubscriptions: [{ id: 'sub-1', state: 'issued', domains: ['toot.example', 'files.toot.example'] }],
    tlsCertificates: [],
    tlsActivations: [],
    managedDomains: [{ id: 'dm-1', fqdn: 'toot.example', serviceId: 'svc-old' }],
    ...overrides,
  };
}

describe('coverage', () => {
  it("tells the name itself, a parent and a parent's wildcard apart, and ignores the rest", () => {
    expect(coverage('files.toot.example', 'files.toot.example')).toBe('exact');
    expect(coverage('toot.example', 'files.toot.example')).toBe('parent');
    expect(coverage('*.toot.example', 'files.toot.example')).toBe('wildcard');
    expect(coverage('files.toot.example', 'toot.example')).toBeNull();
    expect(coverage('*.example', 'toot.example')).toBeNull();
  });
});

describe('buildMigrationPlan', () => {
  it("removes the old claims in Fastly's order: caching off, TLS with force, the version, Domain Management", () => {
    const plan = MigrationPlan.parse(buildMigrationPlan({ service: 'toot', inventory: inventory() }));
    expect(plan.steps.map((step) => `${step.order} ${step.action}`)).toEqual([
      '1 lower_dns_ttl',
      '2 create_service',
      '3 point_dns_at_origin',
      '4 caching_off',
      '5 delete_tls_subscription',
      '6 remove_domains_from_service',
      '7 delete_managed_domain',
      '8 attach_domains',
      '9 point_dns_at_fastly',
    ]);
    const tls = plan.steps.find((step) => step.action === 'delete_tls_subscription');
    expect(tls).toMatchObject({ subscriptionId: 'sub-1', force: true, domains: ['toot.example', 'files.toot.example'] });
    const version = plan.steps.find((step) => step.action === 'remove_domains_from_service');
    expect(version).toMatchObject({ serviceId: 'svc-old', fromVersion: 4, names: ['toot.example', 'files.toot.example'] });
  });

  it('lists every claim with the step that removes it', () => {
    const plan = buildMigrationPlan({ service: 'toot', inventory: inventory() });
    expect(plan.claims.map((claim) => `${claim.removedAtStep} ${claim.kind} ${claim.name} → ${claim.holds.join(',')}`)).toEqual([
      // The apex is also the parent of files.toot.example: its claims hold both.
      '5 tls_subscription toot.example → toot.example,files.toot.example',
      '5 tls_subscription files.toot.example → files.toot.example',
      '6 active_version toot.example → toot.example,files.toot.example',
      '6 active_version files.toot.example → files.toot.example',
      '7 managed_domain toot.example → toot.example,files.toot.example',
    ]);
    expect(plan.claims[4]!.description).toBe('held by a Domain Management record on the old account');
    expect(plan.warnings).toEqual([]);
  });

  it('mirrors the old backends and keeps the roles of the old site', () => {
    const plan = buildMigrationPlan({ service: 'toot', inventory: inventory() });
    expect(plan.origins).toEqual({
      main: { address: 'lb.toot.example', port: 443, useTls: true },
      static: { address: 'bucket.s3.example', port: 443, useTls: true, pathPrefix: '/toot-media' },
    });
    expect(plan.originsFrom).toMatchObject({ kind: 'old_service', serviceId: 'svc-old' });
    expect(plan.domains).toEqual([
      { domain: 'toot.example', role: 'main' },
      { domain: 'files.toot.example', role: 'static' },
    ]);
  });

  it('names a wildcard on another old service as the claim, and warns that it covers more', () => {
    const wildcard: OldService = {
      ...edgeplaneService,
      id: 'svc-wild',
      name: 'catch-all',
      domains: ['*.toot.example'],
      configStoreId: null,
      roles: {},
      cachingOn: [],
    };
    const plan = buildMigrationPlan({ service: 'toot', inventory: inventory({ services: [edgeplaneService, wildcard], managedDomains: [] }) });
    const claim = plan.claims.find((entry) => entry.serviceId === 'svc-wild');
    expect(claim).toMatchObject({ kind: 'active_version', name: '*.toot.example', coverage: 'wildcard', holds: ['files.toot.example'] });
    expect(claim!.description).toBe('held by version 4 of the service catch-all on the old account, through the wildcard *.toot.example');
    expect(plan.warnings.some((warning) => warning.startsWith('*.toot.example on the old service catch-all'))).toBe(true);
  });

  it("deletes an uploaded certificate's TLS activations right before it, and warns of the names not moving", () => {
    const plan = MigrationPlan.parse(
      buildMigrationPlan({
        service: 'toot',
        inventory: inventory({
          tlsCertificates: [{ id: 'cert-1', name: 'files', domains: ['files.toot.example', '*.toot.example'] }],
          tlsActivations: [
            { id: 'act-files', certificateId: 'cert-1', domain: 'files.toot.example' },
            { id: 'act-www', certificateId: 'cert-1', domain: 'www.toot.example' },
            { id: 'act-other', certificateId: 'cert-elsewhere', domain: 'toot.example' },
          ],
        }),
      }),
    );
    expect(plan.steps.map((step) => `${step.order} ${step.action}`).slice(4, 8)).toEqual([
      '5 delete_tls_subscription',
      '6 delete_tls_activations',
      '7 delete_tls_certificate',
      '8 remove_domains_from_service',
    ]);
    const activations = plan.steps[5]!;
    expect(activations).toMatchObject({
      action: 'delete_tls_activations',
      certificateId: 'cert-1',
      activations: [
        { id: 'act-files', domain: 'files.toot.example' },
        { id: 'act-www', domain: 'www.toot.example' },
      ],
      domains: ['files.toot.example'],
      claimIds: ['tls_activation:act-files'],
    });
    expect(activations.reason).toContain('Fastly refuses to delete a certificate that is still enabled for a domain');
    expect(plan.claims.filter((claim) => claim.kind === 'tls_activation')).toEqual([
      expect.objectContaining({
        name: 'files.toot.example',
        activationId: 'act-files',
        certificateId: 'cert-1',
        removedAtStep: 6,
        holds: ['files.toot.example'],
      }),
    ]);
    expect(plan.claims.filter((claim) => claim.kind === 'tls_certificate').map((claim) => [claim.name, claim.removedAtStep])).toEqual([
      ['files.toot.example', 7],
      ['*.toot.example', 7],
    ]);
    // www.toot.example is not moving; toot.example's activation belongs to the subscription, which goes with force.
    expect(plan.warnings).toEqual([
      'the certificate files (cert-1) is also TLS-activated for www.toot.example, which is not moving; deleting it disables TLS there too',
    ]);
  });

  it('warns of an activation the plan cannot remove', () => {
    const plan = buildMigrationPlan({
      service: 'toot',
      inventory: inventory({ tlsSubscriptions: [], tlsActivations: [{ id: 'act-other', certificateId: 'cert-elsewhere', domain: 'toot.example' }] }),
    });
    expect(plan.steps.some((step) => step.action === 'delete_tls_activations')).toBe(false);
    expect(plan.warnings).toEqual([
      'toot.example is TLS-activated (act-other) with the certificate cert-elsewhere, which the plan does not delete: delete that activation on the old account before the move',
    ]);
  });

  it('deletes a subscription that was never issued without force', () => {
    const plan = buildMigrationPlan({
      service: 'toot',
      inventory: inventory({ tlsSubscriptions: [{ id: 'sub-2', state: 'pending', domains: ['toot.example'] }] }),
    });
    expect(plan.steps.find((step) => step.action === 'delete_tls_subscription')).toMatchObject({ force: false });
  });

  it('warns that the bucket answers by Host (and lacks the path prefix) when the files domain points straight at it', () => {
    const plan = buildMigrationPlan({ service: 'toot', inventory: inventory() });
    const files = plan.gap.find((entry) => entry.domain === 'files.toot.example')!;
    expect(files.message).toContain(
      'Pointed straight at it, bucket.s3.example then gets requests with Host: files.toot.example, not the Host: bucket.s3.example the service sends it; '
        + 'object storage (S3-style virtual hosts) picks the bucket by Host, so it must answer for files.toot.example itself, with a TLS certificate for that name',
    );
    expect(files.message).toContain('the path prefix /toot-media is not added either');
    // The main origin gets the visitor's Host through Fastly too: nothing changes for it.
    expect(plan.gap.find((entry) => entry.domain === 'toot.example')!.message).not.toContain('Pointed straight at it');

    const named = buildMigrationPlan({
      service: 'toot',
      inventory: inventory(),
      origins: {
        main: { address: 'lb.toot.example', port: 443, useTls: true, hostHeader: 'mastodon.internal' },
        static: { address: 'files.toot.example.s3.example', port: 443, useTls: true, hostHeader: 'files.toot.example' },
      },
    });
    // A bucket already answering for the files domain needs nothing; a main origin with its own Host does.
    expect(named.gap.find((entry) => entry.domain === 'files.toot.example')!.message).not.toContain('Pointed straight at it');
    expect(named.gap.find((entry) => entry.domain === 'toot.example')!.message).toContain(
      'Pointed straight at it, lb.toot.example then gets requests with Host: toot.example, not the Host: mastodon.internal the service sends it; it must answer for toot.example itself',
    );
  });

  it('says what users see during the gap and where to point DNS meanwhile', () => {
    const plan = buildMigrationPlan({ service: 'toot', inventory: inventory(), ttlSeconds: 120 });
    const files = plan.gap.find((entry) => entry.domain === 'files.toot.example')!;
    expect(files).toMatchObject({ unknownDomainFromStep: 6, untilStep: 8, bypassTo: 'bucket.s3.example', lowerTtlToSeconds: 120 });
    expect(plan.dns.filter((change) => change.purpose === 'bypass_fastly').map((change) => change.record)).toEqual([
      null, // toot.example is an apex: no CNAME there
      { type: 'CNAME', name: 'files.toot.example', value: 'bucket.s3.example', ttlSeconds: 120 },
    ]);
  });
});
