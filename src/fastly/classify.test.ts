import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../errors';
import { classifyFastlyFailure, fastlyDetail } from './classify';
import type { FastlyFailure } from './failure';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const RESET_EPOCH = 1_796_000_000;

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): FastlyFailure => ({
  status,
  headers,
  body,
  networkCode: null,
  message: `Fastly answered ${status}`,
});

const noAnswer = (networkCode: string | null, message: string): FastlyFailure => ({ status: null, headers: {}, body: null, networkCode, message });

interface Case {
  name: string;
  failure: FastlyFailure;
  code: ErrorCode;
  detail: string;
  resetAt?: Date;
}

const cases: Case[] = [
  // {msg, detail}: the classic REST API shape.
  {
    name: 'domain owned by another customer',
    failure: answer(400, { msg: 'Bad request', detail: "Domain 'example.org' is owned by another customer" }),
    code: 'domain_held_by_other_account',
    detail: "Domain 'example.org' is owned by another customer",
  },
  {
    name: 'domain taken by another customer',
    failure: answer(400, { msg: 'Bad request', detail: "Domain 'social.example.org' is taken by another customer" }),
    code: 'domain_held_by_other_account',
    detail: "Domain 'social.example.org' is taken by another customer",
  },
  {
    name: 'domain already taken by one of our services',
    failure: answer(400, { msg: 'Bad request', detail: "Domain 'example.org' is already taken by service 'mastodon-old'" }),
    code: 'domain_held_by_own_service',
    detail: "Domain 'example.org' is already taken by service 'mastodon-old'",
  },
  {
    // Recorded: fastly/fixtures/tls_subscription/compute/cleanup.yaml (go-fastly).
    name: 'editing a locked version: 422 as Fastly answers today',
    failure: answer(422, { msg: 'Version locked', detail: "Version '56' for service 'XsjdElScZGjmfCcTwsYRC1' is locked" }),
    code: 'version_locked',
    detail: "Version '56' for service 'XsjdElScZGjmfCcTwsYRC1' is locked",
  },
  {
    name: 'editing a locked version (older 400)',
    failure: answer(400, { msg: 'Bad request', detail: 'Version 3 of service SU1Z0isxPaozGVKXdv0eY is locked' }),
    code: 'version_locked',
    detail: 'Version 3 of service SU1Z0isxPaozGVKXdv0eY is locked',
  },
  {
    name: 'locked after an apostrophe and before a quoted name',
    failure: answer(400, { msg: 'Bad request', detail: "Can't edit a locked version of 'social'" }),
    code: 'version_locked',
    detail: "Can't edit a locked version of 'social'",
  },
  {
    name: 'locked said only in msg',
    failure: answer(400, { msg: 'Version locked' }),
    code: 'version_locked',
    detail: 'Version locked',
  },
  {
    name: 'invalid token',
    failure: answer(401, { msg: 'Provided credentials are missing or invalid' }),
    code: 'unauthorized',
    detail: 'Provided credentials are missing or invalid',
  },
  {
    name: 'token without the scope',
    failure: answer(403, { msg: 'You are not authorized to perform this action', detail: 'Token does not have the global scope' }),
    code: 'unauthorized',
    detail: 'Token does not have the global scope',
  },
  {
    name: '429 with the rate-limit headers',
    failure: answer(
      429,
      { msg: 'Too many requests', detail: 'You have exceeded your hourly rate limit of 1000 write requests' },
      { 'fastly-ratelimit-remaining': '0', 'fastly-ratelimit-reset': String(RESET_EPOCH) },
    ),
    code: 'rate_limited',
    detail: 'You have exceeded your hourly rate limit of 1000 write requests',
    resetAt: new Date(RESET_EPOCH * 1000),
  },
  {
    name: '429 with only Retry-After',
    failure: answer(429, { msg: 'Too many requests' }, { 'retry-after': '90' }),
    code: 'rate_limited',
    detail: 'Too many requests',
    resetAt: new Date(NOW + 90_000),
  },
  {
    name: 'a rejected write that used the last of the budget',
    failure: answer(
      400,
      { msg: 'Bad request', detail: "Invalid value for 'port'" },
      { 'fastly-ratelimit-remaining': '0', 'fastly-ratelimit-reset': String(RESET_EPOCH) },
    ),
    code: 'rate_limited',
    detail: "Invalid value for 'port'",
    resetAt: new Date(RESET_EPOCH * 1000),
  },
  {
    name: 'a held domain on the last write still says held',
    failure: answer(
      400,
      { msg: 'Bad request', detail: "Domain 'example.org' is owned by another customer" },
      { 'fastly-ratelimit-remaining': '0', 'fastly-ratelimit-reset': String(RESET_EPOCH) },
    ),
    code: 'domain_held_by_other_account',
    detail: "Domain 'example.org' is owned by another customer",
  },
  {
    name: 'a write with budget left is not rate limited',
    failure: answer(400, { msg: 'Bad request', detail: "Invalid value for 'port'" }, { 'fastly-ratelimit-remaining': '10' }),
    code: 'fastly_rejected',
    detail: "Invalid value for 'port'",
  },
  {
    name: 'unknown service',
    failure: answer(404, { msg: 'Record not found', detail: "Couldn't find Service 'nope'" }),
    code: 'not_found',
    detail: "Couldn't find Service 'nope'",
  },
  {
    name: 'duplicate record left by a half-done edit',
    failure: answer(409, { msg: 'Duplicate record', detail: "Duplicate backend: 'main' already exists" }),
    code: 'fastly_rejected',
    detail: "Duplicate backend: 'main' already exists",
  },
  {
    name: 'service with an active version',
    failure: answer(400, { msg: 'Bad request', detail: 'Cannot delete service with active version' }),
    code: 'fastly_rejected',
    detail: 'Cannot delete service with active version',
  },
  {
    name: 'bad request with msg only',
    failure: answer(400, { msg: 'Bad request' }),
    code: 'fastly_rejected',
    detail: 'Bad request',
  },
  {
    name: 'unlocked is not locked',
    failure: answer(400, { msg: 'Bad request', detail: 'Version 4 is unlocked and has no backends' }),
    code: 'fastly_rejected',
    detail: 'Version 4 is unlocked and has no backends',
  },
  {
    name: 'a domain named like a rule is not that rule',
    failure: answer(409, { type: 'about:blank', title: 'Conflict', detail: "Domain 'locked.example.org' already exists ('x1')", status: 409 }),
    code: 'fastly_rejected',
    detail: "Domain 'locked.example.org' already exists ('x1')",
  },
  {
    name: 'a held domain named like a rule is still held',
    failure: answer(400, { msg: 'Bad request', detail: "Domain 'locked.example.org' is owned by another customer" }),
    code: 'domain_held_by_other_account',
    detail: "Domain 'locked.example.org' is owned by another customer",
  },
  // JSON:API, as the TLS endpoints answer.
  {
    name: 'JSON:API validation error',
    failure: answer(422, { errors: [{ title: 'Unprocessable Entity', detail: 'Tls domains must be on an active service', status: '422' }] }),
    code: 'fastly_rejected',
    detail: 'Tls domains must be on an active service',
  },
  {
    name: 'JSON:API errors joined',
    failure: answer(400, {
      errors: [
        { title: 'Bad Request', detail: 'certificate_authority is invalid', status: '400' },
        { title: 'Bad Request', status: '400' },
      ],
    }),
    code: 'fastly_rejected',
    detail: 'certificate_authority is invalid; Bad Request',
  },
  {
    name: 'JSON:API domain held by another customer',
    failure: answer(400, { errors: [{ title: 'Bad Request', detail: "Domain 'example.org' is owned by another customer", status: '400' }] }),
    code: 'domain_held_by_other_account',
    detail: "Domain 'example.org' is owned by another customer",
  },
  {
    name: 'JSON:API not found',
    failure: answer(404, { errors: [{ title: 'Not found', detail: 'Tls subscription not found', status: '404' }] }),
    code: 'not_found',
    detail: 'Tls subscription not found',
  },
  {
    name: 'JSON:API unauthorized',
    failure: answer(401, { errors: [{ title: 'Unauthorized', status: '401' }] }),
    code: 'unauthorized',
    detail: 'Unauthorized',
  },
  // Recorded or reported answers (docs/fastly-facts.md cites each).
  {
    name: 'TLS subscription with active domains deleted without force (terraform-provider-fastly 888)',
    failure: answer(400, { errors: [{ title: "Can't delete subscription", detail: 'Subscription has active domains' }] }),
    code: 'fastly_rejected',
    detail: 'Subscription has active domains',
  },
  {
    name: 'TLS subscription for a domain on no active service (rust-lang/simpleinfra 811)',
    failure: answer(400, {
      errors: [
        {
          title: 'The domain you entered was not found on one of your services',
          detail: 'Please add fastly-docs.rs to an active service to begin TLS enablement.',
        },
      ],
    }),
    code: 'fastly_rejected',
    detail: 'Please add fastly-docs.rs to an active service to begin TLS enablement.',
  },
  {
    name: 'Domain Management duplicate (go-fastly create_duplicate.yaml)',
    failure: answer(400, { errors: [{ title: 'Invalid value for fqdn', detail: 'fqdn has already been taken' }] }),
    code: 'fastly_rejected',
    detail: 'fqdn has already been taken',
  },
  {
    name: 'hourly write limit (terraform-provider-fastly 313)',
    failure: answer(429, { msg: 'You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.' }),
    code: 'rate_limited',
    detail: 'You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.',
  },
  // Problem details, as newer Fastly APIs may answer.
  {
    name: 'problem details: domain owned by another customer',
    failure: answer(400, { type: 'about:blank', title: 'Bad Request', detail: "Domain 'example.org' is owned by another customer", status: 400 }),
    code: 'domain_held_by_other_account',
    detail: "Domain 'example.org' is owned by another customer",
  },
  {
    name: 'problem details: 409 already taken by service',
    failure: answer(409, { type: 'about:blank', title: 'Conflict', detail: "Domain 'example.org' is already taken by service 'old'", status: 409 }),
    code: 'domain_held_by_own_service',
    detail: "Domain 'example.org' is already taken by service 'old'",
  },
  {
    name: 'problem details: invalid fqdn',
    failure: answer(400, {
      type: 'https://www.fastly.com/documentation/reference/api/errors/invalid',
      title: 'Invalid fqdn',
      detail: 'fqdn must be a valid hostname',
      status: 400,
    }),
    code: 'fastly_rejected',
    detail: 'fqdn must be a valid hostname',
  },
  {
    name: 'problem details with a title only',
    failure: answer(403, { type: 'about:blank', title: 'Forbidden', status: 403 }),
    code: 'unauthorized',
    detail: 'Forbidden',
  },
  // Fastly or the way to it is down.
  {
    name: '500 with msg',
    failure: answer(500, { msg: 'Internal Server Error' }),
    code: 'fastly_unavailable',
    detail: 'Internal Server Error',
  },
  {
    name: '503 HTML page from a proxy',
    failure: answer(503, '<html><body><h1>503 Service Unavailable</h1></body></html>'),
    code: 'fastly_unavailable',
    detail: '<html><body><h1>503 Service Unavailable</h1></body></html>',
  },
  {
    name: '502 with an empty body',
    failure: { ...answer(502, null), message: 'Fastly answered 502 Bad Gateway' },
    code: 'fastly_unavailable',
    detail: 'Fastly answered 502 Bad Gateway',
  },
  { name: '504', failure: answer(504, { msg: 'Gateway Timeout' }), code: 'fastly_unavailable', detail: 'Gateway Timeout' },
  { name: '408', failure: answer(408, 'Request Timeout'), code: 'fastly_unavailable', detail: 'Request Timeout' },
  {
    name: 'connection reset',
    failure: noAnswer('ECONNRESET', 'socket hang up'),
    code: 'fastly_unavailable',
    detail: 'No answer from Fastly (ECONNRESET): socket hang up',
  },
  {
    name: 'connection refused',
    failure: noAnswer('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'),
    code: 'fastly_unavailable',
    detail: 'No answer from Fastly (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:9',
  },
  {
    name: 'DNS failure',
    failure: noAnswer('ENOTFOUND', 'getaddrinfo ENOTFOUND api.fastly.com'),
    code: 'fastly_unavailable',
    detail: 'No answer from Fastly (ENOTFOUND): getaddrinfo ENOTFOUND api.fastly.com',
  },
  {
    name: 'superagent timeout',
    failure: noAnswer('ECONNABORTED', 'Timeout of 30000ms exceeded'),
    code: 'fastly_unavailable',
    detail: 'No answer from Fastly (ECONNABORTED): Timeout of 30000ms exceeded',
  },
  {
    name: 'not a network failure and no answer',
    failure: noAnswer(null, "Cannot read properties of undefined (reading 'id')"),
    code: 'internal',
    detail: "Fastly call failed before an answer: Cannot read properties of undefined (reading 'id')",
  },
];

describe('classifyFastlyFailure', () => {
  it.each(cases)('$name -> $code', ({ failure, code, detail, resetAt }) => {
    const error = classifyFastlyFailure(failure, NOW);
    expect(error.code).toBe(code);
    expect(error.detail).toBe(detail);
    expect(error.resetAt).toEqual(resetAt);
    expect(error.cause).toBe(failure);
  });
});

describe('fastlyDetail', () => {
  it('prefers detail over msg and title', () => {
    expect(fastlyDetail({ msg: 'Bad request', detail: 'the detail' })).toBe('the detail');
    expect(fastlyDetail({ type: 'about:blank', title: 'Conflict', detail: 'the detail' })).toBe('the detail');
  });

  it('says nothing for an empty or unknown body', () => {
    expect(fastlyDetail(null)).toBeNull();
    expect(fastlyDetail('   ')).toBeNull();
    expect(fastlyDetail({ unrelated: 1 })).toBeNull();
    expect(fastlyDetail({ errors: [] })).toBeNull();
  });

  it('cuts a long text body', () => {
    expect(fastlyDetail('x'.repeat(5000))).toHaveLength(1000);
  });
});
