import type { DomainPage } from '../model';

// The pages of domain lists as last read, each with the revision of its service it was read at
// (`Repository.domainRevision`). A page is handed out again only while that revision is unchanged,
// so a list never misses a write, whichever process made it; polling an unchanged list (`domains
// wait`, `start`) costs one small read instead of a page of rows. Pages are frozen: callers may keep
// what they derive from one (its JSON text) as long as they hold the same object.

const DEFAULT_CAPACITY = 64;

export interface DomainPageKey {
  service: string;
  limit: number;
  after: string | undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export class DomainPageCache {
  private readonly pages = new Map<string, { revision: number; page: DomainPage }>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  private static keyOf({ service, limit, after }: DomainPageKey): string {
    return JSON.stringify([service, limit, after ?? null]);
  }

  /** The page read at `revision`, or undefined when it was read at another one (or never). */
  get(key: DomainPageKey, revision: number): DomainPage | undefined {
    const entry = this.pages.get(DomainPageCache.keyOf(key));
    return entry?.revision === revision ? entry.page : undefined;
  }

  /** Keeps `page` as read at `revision` (read the revision first: a later write then only makes it unused) and returns it frozen. */
  put(key: DomainPageKey, revision: number, page: DomainPage): DomainPage {
    const id = DomainPageCache.keyOf(key);
    this.pages.delete(id);
    this.pages.set(id, { revision, page: deepFreeze(page) });
    // Least recently stored goes first.
    if (this.pages.size > this.capacity) this.pages.delete(this.pages.keys().next().value!);
    return page;
  }
}
