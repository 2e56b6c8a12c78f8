import type { OriginAnswer, Representation } from './origin';

// An origin answer travels through the caches as a bodiless response whose headers carry what
// the benchmark needs to judge it (whom it is private to, which version, how many body bytes).
// Whatever a client finally gets is read back from those headers, so a leak is counted from
// what the cache really handed out.

const PREFIX = 'x-bench-';

function taggedHeaders(answer: OriginAnswer): Headers {
  const headers = new Headers(answer.headers);
  headers.set(`${PREFIX}owner`, answer.owner ?? '');
  headers.set(`${PREFIX}version`, String(answer.version));
  headers.set(`${PREFIX}variant`, answer.variant);
  headers.set(`${PREFIX}representation`, answer.representation);
  headers.set(`${PREFIX}bytes`, String(answer.bytes));
  return headers;
}

export function taggedResponse(answer: OriginAnswer): Response {
  return new Response(null, { status: answer.status, headers: taggedHeaders(answer) });
}

/** The answer a response carries; throws when it carries none (the edge made it up). */
export function answerOf(status: number, headers: Headers): OriginAnswer {
  const bytes = headers.get(`${PREFIX}bytes`);
  if (bytes === null) throw new Error(`response ${status} carries no origin answer`);
  const owner = headers.get(`${PREFIX}owner`);
  return {
    status,
    headers,
    bytes: Number(bytes),
    owner: owner ? owner : null,
    representation: headers.get(`${PREFIX}representation`) as Representation,
    version: Number(headers.get(`${PREFIX}version`)),
    variant: headers.get(`${PREFIX}variant`) ?? '',
  };
}
