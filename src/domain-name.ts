import { domainToASCII } from 'node:url';
import { EdgeplaneError } from './errors';

// Domain names are checked the way a registrar would before anything is sent to Fastly, so a typo
// fails at once with a clear message instead of after a round of retries.

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_LENGTH = 253;

/** Why `input` is not a registrable host name, or null when it is one. */
function problemWith(input: string): string | null {
  if (input.length === 0) return 'is empty';
  if (/\s/u.test(input)) return 'contains whitespace';
  if (input.includes('*')) return 'is a wildcard; attach each host name on its own';
  if (/[/\\?#]/.test(input)) return 'contains a path or query; give the host name only';
  if (input.includes(':') || input.includes('[')) return 'contains a port or an IPv6 address; give the host name only';
  if (input.includes('@')) return 'contains user information; give the host name only';
  if (input.includes('%')) return 'contains percent-encoding';
  return null;
}

/**
 * The canonical form of a domain name: lower-cased, internationalised labels as punycode.
 * Throws EdgeplaneError `invalid_input` naming the problem.
 */
export function parseDomainName(input: string): string {
  const invalid = (why: string) => new EdgeplaneError('invalid_input', `"${input}" is not a valid domain name: it ${why}`);
  const early = problemWith(input);
  if (early) throw invalid(early);

  const ascii = domainToASCII(input);
  if (ascii === '') throw invalid('is not a valid internationalised domain name');
  if (ascii.endsWith('.')) throw invalid('ends with a dot');
  if (ascii.length > MAX_LENGTH) throw invalid(`is longer than ${MAX_LENGTH} characters`);

  const labels = ascii.split('.');
  if (labels.length < 2) throw invalid('has a single label; a registrable name has at least two (like toot.example)');
  for (const label of labels) {
    if (label.length === 0) throw invalid('has an empty label');
    if (label.length > 63) throw invalid(`has a label longer than 63 characters ("${label.slice(0, 20)}...")`);
    if (!LABEL.test(label)) {
      throw invalid(`has the label "${label}": labels are letters, digits and hyphens, and do not start or end with a hyphen`);
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) throw invalid('looks like an IP address; give a host name');
  return ascii;
}

/**
 * The names whose claim covers `domain`: itself, each parent (`example.com` covers
 * `www.example.com`) and the wildcard of each parent (`*.example.com`): another account
 * holding any of them blocks the domain (docs/fastly-facts.md, "Domains held by another account").
 */
export function coveringNames(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/^\*\./, '').split('.');
  const names = [domain.toLowerCase()];
  for (let start = 1; start < labels.length - 1; start++) names.push(labels.slice(start).join('.'));
  for (let start = 1; start < labels.length - 1; start++) names.push(`*.${labels.slice(start).join('.')}`);
  return [...new Set(names)];
}
