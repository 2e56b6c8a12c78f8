import type { z } from 'zod';
import type { DnsRecord } from '../model';
import type { TlsSubscription } from './gateway';
import type { TlsIncluded, TlsSubscriptionData } from './schemas';

// A JSON:API TLS subscription (with its included authorizations) as our TlsSubscription.

const CHALLENGE_PURPOSE: Record<string, DnsRecord['purpose']> = {
  'managed-dns': 'acme_challenge',
  'managed-http-cname': 'traffic',
  'managed-http-a': 'traffic',
};

const RECORD_TYPES: ReadonlySet<string> = new Set(['CNAME', 'A', 'AAAA', 'TXT']);

export function tlsSubscriptionView(data: z.infer<typeof TlsSubscriptionData>, included: TlsIncluded): TlsSubscription {
  const ownAuthorizations = data.relationships.tls_authorizations ? new Set(data.relationships.tls_authorizations.data.map((entry) => entry.id)) : null;
  const dnsRecords: DnsRecord[] = [];
  for (const item of included ?? []) {
    if (!('id' in item) || item.type !== 'tls_authorization') continue;
    if (ownAuthorizations && !ownAuthorizations.has(item.id)) continue;
    for (const challenge of item.attributes.challenges ?? []) {
      const purpose = CHALLENGE_PURPOSE[challenge.type];
      if (!purpose || !RECORD_TYPES.has(challenge.record_type)) continue;
      for (const value of challenge.values) {
        dnsRecords.push({ type: challenge.record_type as DnsRecord['type'], name: challenge.record_name, value, purpose });
      }
    }
  }
  return {
    id: data.id,
    state: data.attributes.state,
    domains: data.relationships.tls_domains.data.map((entry) => entry.id),
    dnsRecords,
  };
}
