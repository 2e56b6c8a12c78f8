import { describe, expect, it } from 'vitest';
import { jsonBody } from './frozen-json';

describe('jsonBody', () => {
  it('keeps the bytes of a frozen value and serialises anything else every time', () => {
    const frozen = Object.freeze({ items: Object.freeze([Object.freeze({ domain: 'bücher.example' })]), next: null });
    const body = jsonBody(frozen);
    expect(body).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(body as Uint8Array)).toBe(JSON.stringify(frozen));
    expect(jsonBody(frozen)).toBe(body);

    const open = { items: [{ domain: 'a.example' }], next: null };
    expect(jsonBody(open)).toBe(JSON.stringify(open));
    open.items.push({ domain: 'b.example' });
    expect(jsonBody(open)).toBe(JSON.stringify(open));
  });
});
