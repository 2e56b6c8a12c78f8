import { describe, expect, it } from 'vitest';
import { classifyEdgeAnswer } from './edge-hint';

describe('classifyEdgeAnswer', () => {
  it("reads only the edge's own 500 unknown domain as unknown; any other answer means some service serves the host", () => {
    expect(classifyEdgeAnswer(500, 'Fastly error: unknown domain: toot.example. Please check that this domain has been added to a service.')).toBe('unknown');
    // An origin's own 500 through an active service: served.
    expect(classifyEdgeAnswer(500, 'Internal Server Error')).toBe('served');
    expect(classifyEdgeAnswer(200, 'unknown domain')).toBe('served');
    expect(classifyEdgeAnswer(404, '')).toBe('served');
  });
});
