// Answers a single `bytes=` range from a stored full body, as Fastly does from its cache.
// Anything else (several ranges, a malformed header) gets the whole object, which RFC 9110 allows.

export function rangeResponse(full: Response, body: Uint8Array<ArrayBuffer>, range: string): Response {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '') || full.status !== 200) return full;
  const size = body.byteLength;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  const headers = new Headers(full.headers);
  if (start >= size || start > end) {
    headers.set('content-range', `bytes */${size}`);
    headers.delete('content-length');
    return new Response(null, { status: 416, headers });
  }
  headers.set('content-range', `bytes ${start}-${end}/${size}`);
  headers.set('content-length', String(end - start + 1));
  return new Response(body.subarray(start, end + 1), { status: 206, headers });
}
