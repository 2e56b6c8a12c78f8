import { describe, expect, it } from 'vitest';
import { dnsInstructions, dnsNote, isApexDomain, recordsToCreate } from './dns-records';
import type { DnsRecord } from './model';

// What Fastly offers for a host (the simulator and the API list all three challenges).
function offeredFor(host: string): DnsRecord[] {
  return [
    { type: 'CNAME', name: `_acme-challenge.${host}`, value: 'token.fastly-validations.com', purpose: 'acme_challenge' },
    { type: 'CNAME', name: host, value: 'j.sni.global.fastly.net', purpose: 'traffic' },
    ...['151.101.1.195', '151.101.65.195'].map((value): DnsRecord => ({ type: 'A', name: host, value, purpose: 'traffic' })),
    { type: 'AAAA', name: host, value: '2a04:4e42::195', purpose: 'traffic' },
  ];
}

function byName(records: DnsRecord[]): Record<string, DnsRecord[]> {
  const groups: Record<string, DnsRecord[]> = {};
  for (const record of records) groups[record.name] = [...(groups[record.name] ?? []), record];
  return groups;
}

describe('isApexDomain', () => {
  it('knows a registrable domain from a subdomain, multi-label suffixes included', () => {
    expect(['toot.example', 'mastodon.social', 'example.co.uk'].map(isApexDomain)).toEqual([true, true, true]);
    expect(['files.toot.example', 'www.example.co.uk', 'social.example.org'].map(isApexDomain)).toEqual([false, false, false]);
  });
});

describe('recordsToCreate (issue 9, observation 6)', () => {
  it('gives a subdomain exactly one CNAME for traffic, and nothing else of that name', () => {
    const records = recordsToCreate('files.toot.example', offeredFor('files.toot.example'));
    expect(byName(records)['files.toot.example']).toEqual([
      { type: 'CNAME', name: 'files.toot.example', value: 'j.sni.global.fastly.net', purpose: 'traffic' },
    ]);
    expect(byName(records)['_acme-challenge.files.toot.example']).toHaveLength(1);
  });

  it('gives an apex its A and AAAA records and no CNAME', () => {
    const records = recordsToCreate('toot.example', offeredFor('toot.example'));
    expect(byName(records)['toot.example']!.map((r) => `${r.type} ${r.value}`)).toEqual(['A 151.101.1.195', 'A 151.101.65.195', 'AAAA 2a04:4e42::195']);
    expect(byName(records)['_acme-challenge.toot.example']!.map((r) => r.type)).toEqual(['CNAME']);
  });

  it('never puts a CNAME next to another record of the same name, whatever is offered', () => {
    const clash: DnsRecord[] = [
      ...offeredFor('a.toot.example'),
      { type: 'TXT', name: '_acme-challenge.a.toot.example', value: 'x', purpose: 'acme_challenge' },
    ];
    for (const host of ['a.toot.example', 'toot.example']) {
      const records = recordsToCreate(host, host === 'toot.example' ? offeredFor(host) : clash);
      for (const group of Object.values(byName(records))) {
        if (group.some((r) => r.type === 'CNAME')) expect(group).toHaveLength(1);
      }
    }
  });

  it('falls back to what Fastly offered when the preferred kind is missing', () => {
    const onlyA = offeredFor('www.toot.example').filter((r) => r.type !== 'CNAME' || r.purpose !== 'traffic');
    expect(
      recordsToCreate('www.toot.example', onlyA)
        .filter((r) => r.purpose === 'traffic')
        .map((r) => r.type),
    ).toEqual(['A', 'A', 'AAAA']);
    const onlyCname = offeredFor('toot.example').filter((r) => r.type === 'CNAME');
    expect(
      recordsToCreate('toot.example', onlyCname)
        .filter((r) => r.purpose === 'traffic')
        .map((r) => r.type),
    ).toEqual(['CNAME']);
  });
});

describe('dnsNote and dnsInstructions', () => {
  it('explain ALIAS/ANAME for an apex only', () => {
    expect(dnsNote('toot.example')).toMatch(/zone apex.*ALIAS or ANAME/);
    expect(dnsNote('files.toot.example')).toBeNull();
    expect(dnsInstructions('toot.example', recordsToCreate('toot.example', offeredFor('toot.example')))).toMatch(
      /^Create these DNS records: .*toot\.example A 151\.101\.1\.195 .*ALIAS or ANAME/,
    );
    expect(dnsInstructions('toot.example', [])).toBe('No DNS records reported yet');
  });
});
