import type { Context } from 'hono';

// JSON:API answers of the TLS endpoints (`application/vnd.api+json`), and their paging
// (`page[number]`, `page[size]` default 20, `meta` as in fastly/fixtures/custom_tls/list.yaml).

export const jsonApi = (c: Context, body: unknown, status = 200) => c.body(JSON.stringify(body), status as 200, { 'content-type': 'application/vnd.api+json' });

/** The page the query asks for of `all`, each entry shown by `view`. */
export function jsonApiPage<T>(c: Context, all: readonly T[], view: (entry: T) => unknown) {
  const pageSize = Math.max(1, Number(c.req.query('page[size]') ?? 20) || 20);
  const pageNumber = Math.max(1, Number(c.req.query('page[number]') ?? 1) || 1);
  const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return jsonApi(c, {
    data: page.map(view),
    links: {},
    meta: { per_page: pageSize, current_page: pageNumber, record_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / pageSize)) },
  });
}
