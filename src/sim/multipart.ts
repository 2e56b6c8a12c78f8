/**
 * The parts of a multipart/form-data body, as bytes. Parsed by hand because a file part sent
 * without a filename (as fastly-js does for a Buffer) would otherwise be decoded as text.
 */
export function multipartParts(body: Uint8Array, contentType: string): Map<string, Buffer> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const parts = new Map<string, Buffer>();
  if (!boundary) return parts;
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = data.indexOf(delimiter);
  while (start >= 0) {
    const headerStart = start + delimiter.length + 2; // the CRLF after the delimiter
    const next = data.indexOf(delimiter, headerStart);
    if (next < 0 || data.subarray(start + delimiter.length, start + delimiter.length + 2).toString() === '--') break;
    const headerEnd = data.indexOf('\r\n\r\n', headerStart);
    if (headerEnd < 0 || headerEnd > next) break;
    const headers = data.subarray(headerStart, headerEnd).toString('utf8');
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) parts.set(name, data.subarray(headerEnd + 4, next - 2)); // the CRLF before the next delimiter
    start = next;
  }
  return parts;
}
