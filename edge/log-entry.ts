// Secrets travel in query strings: access tokens on the streaming API (browsers cannot set
// headers on a WebSocket), OAuth codes and client secrets, presigned storage URLs. None of them
// may reach a log line. This is the one list of what the access log redacts.

/** Query parameter names (compared decoded and lower-case) whose values are never logged. */
const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'token',
  'code',
  'client_secret',
  'password',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-goog-signature',
  'x-goog-credential',
]);

/** Besides the list: any name ending in `_token` or `-token` (access_token, refresh_token, x-amz-security-token...). */
function isSecret(name: string): boolean {
  return SECRET_QUERY_PARAMS.has(name) || /[_-]token$/.test(name);
}

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    // A malformed escape: judge the name as written.
    return raw.toLowerCase();
  }
}

/** Path and query of a URL, with secret query values replaced; `&` and `;` both separate parameters. */
export function loggablePath(url: URL): string {
  if (url.search.length <= 1) return `${url.pathname}${url.search}`;
  const query = url.search
    .slice(1)
    .split(/([&;])/)
    .map((part) => {
      if (part === '&' || part === ';') return part;
      const equals = part.indexOf('=');
      const name = equals === -1 ? part : part.slice(0, equals);
      return equals !== -1 && isSecret(decodedName(name)) ? `${name}=[redacted]` : part;
    })
    .join('');
  return `${url.pathname}?${query}`;
}
