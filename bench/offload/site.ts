// The benchmarked instance: a ~30,000-account Mastodon site with a separate files domain.

export const MAIN_HOST = 'toot.example';
export const STATIC_HOST = 'files.toot.example';

/** Local accounts (actors, profile pages, WebFinger subjects). */
export const LOCAL_ACCOUNTS = 30_000;
/** Signed-in users active during the run (each with a bearer token; web users also a cookie). */
export const ACTIVE_USERS = 5_000;
/** Anonymous browsers seen during the run. */
export const ANONYMOUS_BROWSERS = 50_000;
/** Remote fediverse servers talking to the instance. */
export const REMOTE_SERVERS = 3_000;
