import { describe, expect, it } from 'vitest';
import { readManifest } from './compute-package';

describe('readManifest', () => {
  it('reads the top-level strings and authors, escapes and single quotes as TOML means them', () => {
    const manifest = [
      'manifest_version = 3',
      'name = "edge\\"plane"',
      "description = 'two\\nlines are not unescaped in a literal string'",
      'authors = ["ops@example.org", \'dev@example.org\']',
      'language = "java\\u0073cript"',
      '',
      '[local_server]',
      'name = "not the top-level name"',
    ].join('\n');
    expect(readManifest(manifest)).toEqual({
      name: 'edge"plane',
      description: 'two\\nlines are not unescaped in a literal string',
      authors: ['ops@example.org', 'dev@example.org'],
      language: 'javascript',
    });
    expect(readManifest('description = "line one\\nline two"').description).toBe('line one\nline two');
  });

  it('gives null and no authors for what the manifest does not say, and throws on what is not TOML', () => {
    expect(readManifest('[scripts]\nname = "x"\n')).toEqual({ name: null, description: null, authors: [], language: null });
    expect(() => readManifest('name = "unterminated')).toThrow();
  });
});
