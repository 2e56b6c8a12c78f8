import { getDomain } from 'tldts';
import type { DnsRecord } from './model';

// Which of the DNS records Fastly offers for a host the operator should create
// (docs/fastly-facts.md, "TLS"). Fastly lists every way to point a host at it: a CNAME and A
// records for the same name. DNS allows no CNAME beside other records of a name, and none at a
// zone apex, so a host gets exactly one of them: a subdomain its CNAME, an apex the A/AAAA records.

/** True when `host` is a zone apex: the registrable domain itself (toot.example, example.co.uk). */
export function isApexDomain(host: string): boolean {
  return getDomain(host) === host;
}

const ADDRESS_TYPES: ReadonlySet<DnsRecord['type']> = new Set(['A', 'AAAA']);

/**
 * The records to create for `host` out of those Fastly offered: the certificate challenges as
 * they are, and for traffic one CNAME (subdomain) or the A/AAAA records (apex). No name ever gets
 * a CNAME next to another record.
 */
export function recordsToCreate(host: string, offered: readonly DnsRecord[]): DnsRecord[] {
  const traffic = offered.filter((record) => record.purpose === 'traffic');
  const cname = traffic.find((record) => record.type === 'CNAME');
  const addresses = traffic.filter((record) => ADDRESS_TYPES.has(record.type));
  // Fall back to what exists when Fastly offered only the other kind.
  const chosen = isApexDomain(host) ? (addresses.length > 0 ? addresses : cname ? [cname] : []) : cname ? [cname] : addresses;
  const records = [...offered.filter((record) => record.purpose !== 'traffic'), ...chosen];
  const unique = records.filter((record, index) => records.findIndex((other) => sameRecord(other, record)) === index);
  return unique.filter((record) => record.type === 'CNAME' || !unique.some((other) => other.type === 'CNAME' && other.name === record.name));
}

function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  return a.type === b.type && a.name === b.name && a.value === b.value;
}

/** What to tell the operator beside the records (one sentence, no final stop): why an apex gets A/AAAA records. */
export function dnsNote(host: string): string | null {
  if (!isApexDomain(host)) return null;
  return `${host} is a zone apex, where DNS allows no CNAME: point it at Fastly with the A/AAAA records (a DNS provider's ALIAS or ANAME record can stand in for them, but Fastly recommends the A/AAAA records)`;
}

/** The records as one sentence (no final stop), for a condition message. */
export function dnsInstructions(host: string, records: readonly DnsRecord[]): string {
  if (records.length === 0) return 'No DNS records reported yet';
  const list = `Create these DNS records: ${records.map((r) => `${r.name} ${r.type} ${r.value} (${r.purpose})`).join('; ')}`;
  const note = dnsNote(host);
  return note ? `${list}. ${note}` : list;
}
