// Access tokens travel in the streaming API's query string (browsers cannot set headers on a
// WebSocket): they must never reach a log line.
const SECRET_QUERY_PARAMS = /([?&](?:access_token|token)=)[^&#]*/gi;

/** Path and query of a URL, with secret query values replaced. */
export function loggablePath(url: URL): string {
  return `${url.pathname}${url.search}`.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}
