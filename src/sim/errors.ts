import { HTTPException } from 'hono/http-exception';

// Fastly answers errors in three shapes; each helper builds one as an HTTPException that
// Hono turns into the response as is.

/** The classic `{msg, detail}` shape of the REST API. */
export function fastlyError(status: number, msg: string, detail?: string): HTTPException {
  const body = detail === undefined ? { msg } : { msg, detail };
  return new HTTPException(status as 400, { res: Response.json(body, { status }) });
}

export const badRequest = (detail: string) => fastlyError(400, 'Bad request', detail);

export const notFound = (detail: string) => fastlyError(404, 'Record not found', detail);

/**
 * `{"errors": [{title, detail}]}`: JSON:API (`application/vnd.api+json`) on the TLS endpoints
 * (fastly/fixtures/tls_subscription/cleanup.yaml), plain `application/json` on Domain Management
 * (fastly/domainmanagement/v1/domains/fixtures/create_duplicate.yaml).
 */
function errorsListError(contentType: string, status: number, title: string, detail: string): HTTPException {
  const res = new Response(JSON.stringify({ errors: [{ title, detail }] }), { status, headers: { 'content-type': contentType } });
  return new HTTPException(status as 400, { res });
}

export const jsonApiError = (status: number, title: string, detail: string) => errorsListError('application/vnd.api+json', status, title, detail);

export const domainManagementError = (status: number, title: string, detail: string) => errorsListError('application/json', status, title, detail);
