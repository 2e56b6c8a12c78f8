import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { EdgeplaneError, ErrorCode, isEdgeplaneError } from '../src/errors';
import { storeFailure } from '../src/store/failure';

// Every error leaves the API as RFC 9457 problem details with our machine `code`.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const Problem = z
  .object({
    type: z.string().openapi({ example: 'urn:edgeplane:problem:not_found' }),
    title: z.string().openapi({ example: 'Not Found' }),
    status: z.number().int(),
    detail: z.string(),
    code: ErrorCode,
    /** Field-level problems of an invalid request. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');
export type Problem = z.infer<typeof Problem>;

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function problemOf(error: EdgeplaneError, issues?: Problem['issues']): Problem {
  return {
    type: `urn:edgeplane:problem:${error.code}`,
    title: titles[error.status] ?? 'Error',
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(issues ? { issues } : {}),
  };
}

export function problemResponse(c: Context, error: EdgeplaneError, issues?: Problem['issues']): Response {
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (error.resetAt) {
    headers['retry-after'] = String(Math.max(1, Math.ceil((error.resetAt.getTime() - Date.now()) / 1000)));
  }
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="edgeplane"';
  return c.body(JSON.stringify(problemOf(error, issues)), error.status as 400, headers);
}

/**
 * The API's view of an error the control plane threw. Fastly refusing *our* Fastly token is not the
 * caller's authentication failing, so it leaves as 502, not 401. A locked or damaged database is
 * a 503 the caller may retry.
 */
export function fromControlPlane(error: unknown): EdgeplaneError | null {
  if (!isEdgeplaneError(error)) return storeFailure(error);
  if (error.code === 'unauthorized') {
    return new EdgeplaneError('unauthorized', `Fastly refused the control plane's API token: ${error.detail}`, { status: 502 });
  }
  return error;
}

/** A zod failure of a request part as a 400 problem listing each field. */
export function invalidRequest(where: string, error: z.ZodError): { error: EdgeplaneError; issues: NonNullable<Problem['issues']> } {
  const issues = error.issues.flatMap((issue) => {
    // An unknown field is reported at its parent; name the field itself.
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return paths.map((path) => ({ path: path.length > 0 ? path.map(String).join('.') : '(root)', message: issue.message }));
  });
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return { error: new EdgeplaneError('invalid_input', `invalid ${where}: ${summary}`), issues };
}
