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

/** JSON:API errors, used by the TLS endpoints. */
export function jsonApiError(status: number, title: string, detail: string): HTTPException {
  const res = new Response(JSON.stringify({ errors: [{ title, detail, status: String(status) }] }), {
    status,
    headers: { 'content-type': 'application/vnd.api+json' },
  });
  return new HTTPException(status as 400, { res });
}

/** RFC 9457 problem details, used by the newer Domain Management API. */
export function problemError(status: number, title: string, detail: string): HTTPException {
  const res = new Response(JSON.stringify({ type: 'about:blank', title, detail, status }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
  return new HTTPException(status as 400, { res });
}
