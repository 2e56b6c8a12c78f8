import { describe, expect, it } from 'vitest';
import { packComputePackage } from '../compute-package';
import { InvalidPackage, readPackageArchive } from './package-archive';

const WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

describe('readPackageArchive', () => {
  it("reports the manifest's metadata, single-quoted and escaped strings included", async () => {
    const manifest = 'name = \'edgeplane\'\ndescription = "Mastodon\\nat the edge"\nauthors = [\'ops@example.org\']\nlanguage = "javascript"\n';
    const archive = await packComputePackage('edgeplane', { 'fastly.toml': manifest, 'bin/main.wasm': WASM });
    expect(await readPackageArchive(archive)).toMatchObject({
      name: 'edgeplane',
      description: 'Mastodon\nat the edge',
      authors: ['ops@example.org'],
      language: 'javascript',
      size: archive.length,
    });
  });

  it('refuses a manifest that is not TOML', async () => {
    const archive = await packComputePackage('edgeplane', { 'fastly.toml': 'name = "edgeplane', 'bin/main.wasm': WASM });
    const refused = readPackageArchive(archive);
    await expect(refused).rejects.toThrow(InvalidPackage);
    await expect(refused).rejects.toThrow(/^The package's fastly.toml is not valid TOML: /);
  });
});
