// What EDGEPLANE_DB names: a `postgres://` (or `postgresql://`) URL is a PostgreSQL database,
// anything else a SQLite file. Kept free of database clients, so the CLI can read it cheaply.

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** The database for logs and messages: a file's path, or a PostgreSQL address without its password. */
export function databaseName(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    url.password = '';
    url.search = '';
    return url.toString();
  } catch {
    return 'a PostgreSQL database (its URL does not parse)';
  }
}
