import type { FastlyGateway, FastlyService, FastlyVersion } from '../fastly/gateway';

/**
 * The service's one reusable draft: an editable version (never activated, unlocked) newer than
 * the active one. Found by reading Fastly, never remembered, so a draft cloned just before a
 * crash is found and reused after it.
 */
export function findDraft(service: FastlyService): FastlyVersion | null {
  const drafts = service.versions.filter((version) => !version.locked && !version.active && version.number > (service.activeVersion ?? 0));
  return drafts.reduce<FastlyVersion | null>((newest, version) => (newest && newest.number > version.number ? newest : version), null);
}

/** The draft's number, cloning the active (else the newest) version only when there is no draft. */
export async function ensureDraft(gateway: FastlyGateway, service: FastlyService): Promise<number> {
  const draft = findDraft(service);
  if (draft) return draft.number;
  const base = service.activeVersion ?? Math.max(...service.versions.map((version) => version.number));
  const clone = await gateway.cloneVersion(service.id, base);
  return clone.number;
}
