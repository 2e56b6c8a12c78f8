import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { jsonResponse, noneMatch } from './frozen-json';

const frozenPage = (domain: string) => Object.freeze({ items: Object.freeze([Object.freeze({ domain })]), next: null });

describe('jsonResponse', () => {
  const open = { items: [{ domain: 'a.example' }], next: null as string | null };
  let current = frozenPage('bücher.example');
  const app = new Hono().get('/frozen', (c) => jsonResponse(c, current, 200)).get('/open', (c) => jsonResponse(c, open, 200));

  it('answers a frozen value with its JSON and a tag, and 304 without a body to a request that has the tag', async () => {
    const first = await app.request('/frozen');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(await first.text()).toBe(JSON.stringify(current));
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{43}"$/);

    const again = await app.request('/frozen', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');

    // A new value (a write moved the revision) has another tag, so the old one gets the whole answer.
    current = frozenPage('other.example');
    const changed = await app.request('/frozen', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.text()).toBe(JSON.stringify(current));
  });

  it('serialises a value that is not frozen every time, without a tag', async () => {
    const first = await app.request('/open');
    expect(first.headers.get('etag')).toBeNull();
    expect(await first.text()).toBe(JSON.stringify(open));
    open.items.push({ domain: 'b.example' });
    const second = await app.request('/open', { headers: { 'if-none-match': '*' } });
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(JSON.stringify(open));
  });
});

describe('noneMatch', () => {
  it('compares tags weakly, in a list or as *', () => {
    expect(noneMatch(undefined, '"a"')).toBe(false);
    expect(noneMatch('"a"', '"a"')).toBe(true);
    expect(noneMatch('W/"a"', '"a"')).toBe(true);
    expect(noneMatch('"x", "a"', '"a"')).toBe(true);
    expect(noneMatch('*', '"a"')).toBe(true);
    expect(noneMatch('"b"', '"a"')).toBe(false);
    expect(noneMatch('"ab"', '"a"')).toBe(false);
  });
});
