// Content negotiation folded into a few kinds, so that every client asking for the same
// representation shares one stored copy and gets the one it asked for (docs/mastodon-edge-policy.md).

/**
 * The representations Mastodon serves on one URL: ActivityPub JSON (Rails treats every JSON alias
 * as `:json`: `application/json`, `text/x-json`, `application/jsonrequest`, plus the `+json` types
 * Mastodon registers), RSS (`/tags/x`, `/@user` answer `format.rss`), else HTML.
 */
export type AcceptKind = 'activitypub' | 'rss' | 'html';
export const NORMALISED_ACCEPT: Record<AcceptKind, string> = {
  activitypub: 'application/activity+json',
  rss: 'application/rss+xml',
  html: 'text/html',
};

const JSON_ACCEPT = /(?:application\/(?:[a-z0-9.-]+\+)?json|text\/x-json|application\/jsonrequest)/i;
const RSS_ACCEPT = /application\/rss\+xml/i;

export function acceptKind(accept: string | null): AcceptKind {
  if (accept === null) return 'html';
  if (JSON_ACCEPT.test(accept)) return 'activitypub';
  return RSS_ACCEPT.test(accept) ? 'rss' : 'html';
}

/**
 * host-meta answers JSON to a JSON Accept and XRD to anything else (WellKnown::HostMetaController,
 * `format.json` / `format.any`); Rails adds `Vary: Accept` only for non-browser Accepts, so the
 * edge keys on this kind itself.
 */
export type HostMetaKind = 'json' | 'xrd';
export function hostMetaKind(accept: string | null): HostMetaKind {
  return accept !== null && JSON_ACCEPT.test(accept) ? 'json' : 'xrd';
}

/**
 * Mastodon's locales with a region (config/application.rb, `available_locales`); every other tag
 * is served by its language alone.
 */
const REGIONAL_LOCALES = new Map(
  ['en-GB', 'es-AR', 'es-MX', 'fr-QC', 'pt-BR', 'pt-PT', 'sr-Latn', 'zh-CN', 'zh-HK', 'zh-TW'].map((tag) => [tag.toLowerCase(), tag]),
);

/**
 * The one language a page is rendered in for this Accept-Language (Localized concern: the
 * request's preferred locale): the highest-weighted tag, as Mastodon spells its locale. Null when
 * the header names no language, so the origin uses the instance default.
 */
export function normaliseLanguage(acceptLanguage: string | null): string | null {
  if (!acceptLanguage) return null;
  let best: { tag: string; weight: number } | null = null;
  for (const part of acceptLanguage.split(',')) {
    const [rawTag, ...params] = part.trim().split(';');
    const tag = rawTag?.trim().toLowerCase() ?? '';
    if (!/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/.test(tag)) continue;
    const q = params.map((param) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param)?.[1]).find((value) => value !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (!(weight > 0)) continue;
    if (best === null || weight > best.weight) best = { tag, weight };
  }
  if (best === null) return null;
  const [language, region] = best.tag.split('-');
  const regional = region === undefined ? undefined : REGIONAL_LOCALES.get(`${language}-${region}`);
  return regional ?? language!;
}
