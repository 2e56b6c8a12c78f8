import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, type SimHarness, startSimHarness } from './support/sim-harness';
import { asFile, computePackage, MANIFEST, validPackage } from './support/sim-package';

let h: SimHarness;
beforeEach(async () => {
  h = await startSimHarness();
});
afterEach(() => h.sim.close());

const draft = async (type: 'wasm' | 'vcl' = 'wasm') => (await h.fastly.services.createService({ name: `svc-${type}`, type })).id as string;

describe('backends', () => {
  it('stores every field docs/fastly-facts.md lists, with Fastly defaults, and copies them on clone', async () => {
    const serviceId = await draft();
    const fields = {
      name: 'main_lb',
      address: 'lb.example.org',
      port: 443,
      use_ssl: true,
      override_host: 'www.example.org',
      ssl_cert_hostname: 'www.example.org',
      ssl_sni_hostname: 'www.example.org',
      connect_timeout: 2000,
      first_byte_timeout: 30000,
      between_bytes_timeout: 5000,
      shield: 'fra-de-fra',
      healthcheck: 'hc',
    };
    const created = await h.fastly.backends.createBackend({ service_id: serviceId, version_id: 1, ...fields });
    expect(created).toMatchObject({ ...fields, hostname: 'lb.example.org', service_id: serviceId, version: 1 });
    const defaults = await h.fastly.backends.createBackend({ service_id: serviceId, version_id: 1, name: 'static', address: '192.0.2.10' });
    expect(defaults).toMatchObject({
      port: 80,
      use_ssl: false,
      ipv4: '192.0.2.10',
      connect_timeout: 1000,
      first_byte_timeout: 15000,
      between_bytes_timeout: 10000,
    });

    const updated = await h.fastly.backends.updateBackend({ service_id: serviceId, version_id: 1, backend_name: 'static', port: 8080 });
    expect(updated.port).toBe(8080);
    await h.fastly.versions.cloneServiceVersion({ service_id: serviceId, version_id: 1 });
    const cloned = await h.fastly.backends.listBackends({ service_id: serviceId, version_id: 2 });
    expect(cloned.map((b: any) => [b.name, b.port, b.use_ssl])).toEqual([
      ['main_lb', 443, true],
      ['static', 8080, false],
    ]);
    await h.fastly.backends.deleteBackend({ service_id: serviceId, version_id: 2, backend_name: 'static' });
    expect((await failureOf(h.fastly.backends.getBackend({ service_id: serviceId, version_id: 2, backend_name: 'static' }))).status).toBe(404);
    expect((await h.fastly.backends.getBackend({ service_id: serviceId, version_id: 1, backend_name: 'static' })).port).toBe(8080);
  });

  it('refuses a duplicate name (409), a missing address and a bad port (400), and writes to a locked version (422)', async () => {
    const serviceId = await draft();
    await h.fastly.backends.createBackend({ service_id: serviceId, version_id: 1, name: 'a', address: 'a.example.org' });
    expect((await failureOf(h.fastly.backends.createBackend({ service_id: serviceId, version_id: 1, name: 'a', address: 'b.example.org' }))).status).toBe(409);
    expect((await failureOf(h.fastly.backends.createBackend({ service_id: serviceId, version_id: 1, name: 'b' }))).status).toBe(400);
    expect(
      (await failureOf(h.fastly.backends.createBackend({ service_id: serviceId, version_id: 1, name: 'c', address: 'c.example.org', port: 70000 }))).status,
    ).toBe(400);
    await h.fastly.versions.lockServiceVersion({ service_id: serviceId, version_id: 1 });
    const locked = await failureOf(h.fastly.backends.createBackend({ service_id: serviceId, version_id: 1, name: 'd', address: 'd.example.org' }));
    expect(locked.status).toBe(422);
    expect(locked.body.msg).toBe('Version locked');
  });
});

describe('Compute package', () => {
  it('accepts a packed .tar.gz and reports hashsum, files_hash, size and manifest metadata on GET', async () => {
    const serviceId = await draft();
    const archive = await validPackage();
    const uploaded = await h.fastly.packages.putPackage({ service_id: serviceId, version_id: 1, _package: archive });
    expect(uploaded.metadata).toMatchObject({
      name: 'edgeplane',
      description: 'Mastodon at the edge',
      authors: ['ops@example.org'],
      language: 'javascript',
      size: archive.length,
      hashsum: createHash('sha512').update(archive).digest('hex'),
    });
    expect(uploaded.metadata.files_hash).toMatch(/^[0-9a-f]{128}$/);
    const fetched = await h.fastly.packages.getPackage({ service_id: serviceId, version_id: 1 });
    expect(fetched.metadata).toEqual(uploaded.metadata);

    // The same files in a new archive keep files_hash; other files change it.
    const repacked = await computePackage(
      { 'fastly.toml': MANIFEST, 'bin/main.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) },
      { dir: 'other-dir' },
    );
    await h.fastly.versions.cloneServiceVersion({ service_id: serviceId, version_id: 1 });
    const again = await h.fastly.packages.putPackage({ service_id: serviceId, version_id: 2, _package: repacked });
    expect(again.metadata.files_hash).toBe(uploaded.metadata.files_hash);
    const changed = await h.fastly.packages.putPackage({
      service_id: serviceId,
      version_id: 2,
      _package: await computePackage({ 'fastly.toml': MANIFEST, 'bin/main.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]) }),
    });
    expect(changed.metadata.files_hash).not.toBe(uploaded.metadata.files_hash);
  });

  it('makes a wasm version valid and activatable', async () => {
    const serviceId = await draft();
    await h.fastly.packages.putPackage({ service_id: serviceId, version_id: 1, _package: await validPackage() });
    expect((await h.fastly.versions.validateServiceVersion({ service_id: serviceId, version_id: 1 })).status).toBe('ok');
    expect((await h.fastly.versions.activateServiceVersion({ service_id: serviceId, version_id: 1 })).active).toBe(true);
    const cloned = await h.fastly.versions.cloneServiceVersion({ service_id: serviceId, version_id: 1 });
    expect((await h.fastly.packages.getPackage({ service_id: serviceId, version_id: cloned.number })).metadata.name).toBe('edgeplane');
  });

  it('refuses what is not a Compute package with a 400', async () => {
    const serviceId = await draft();
    const put = (pkg: Buffer) => failureOf(h.fastly.packages.putPackage({ service_id: serviceId, version_id: 1, _package: pkg }));
    const nameless = await put(Buffer.from(await validPackage()));
    expect([nameless.status, nameless.body.detail]).toEqual([400, 'The field "package" is missing (a file part with a file name)']);
    const notGzip = await put(asFile(Buffer.from('hello')));
    expect([notGzip.status, notGzip.body.detail]).toEqual([400, 'The package is not a gzip-compressed tar archive']);
    const plainTar = await put(await computePackage({ 'fastly.toml': MANIFEST, 'bin/main.wasm': 'x' }, { gzip: false }));
    expect(plainTar.status).toBe(400);
    expect((await put(await computePackage({ 'bin/main.wasm': 'x' }))).body.detail).toBe('The package has no fastly.toml');
    expect((await put(await computePackage({ 'fastly.toml': MANIFEST }))).body.detail).toBe('The package has no bin/main.wasm');
    const gzipGarbage = await put(asFile(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6])));
    expect(gzipGarbage.status).toBe(400);
    expect((await failureOf(h.fastly.packages.getPackage({ service_id: serviceId, version_id: 1 }))).status).toBe(404);
    const vcl = await draft('vcl');
    expect((await failureOf(h.fastly.packages.putPackage({ service_id: vcl, version_id: 1, _package: await validPackage() }))).status).toBe(400);
  });
});

describe('config stores', () => {
  it('creates, finds by name, and keeps items (keys with ":") account-wide', async () => {
    const store = await h.fastly.configStores.createConfigStore({ name: 'edgeplane' });
    expect((await failureOf(h.fastly.configStores.createConfigStore({ name: 'edgeplane' }))).status).toBe(409);
    expect((await h.fastly.configStores.listConfigStores({ name: 'edgeplane' })).map((s: any) => s.id)).toEqual([store.id]);
    expect(await h.fastly.configStores.listConfigStores({ name: 'other' })).toEqual([]);

    const key = 'caching:www.example.org';
    const item = await h.fastly.configItems.upsertConfigStoreItem({ config_store_id: store.id, config_store_item_key: key, item_value: 'off' });
    expect(item).toMatchObject({ store_id: store.id, item_key: key, item_value: 'off' });
    await h.fastly.configItems.upsertConfigStoreItem({ config_store_id: store.id, config_store_item_key: key, item_value: 'on' });
    expect((await h.fastly.configItems.getConfigStoreItem({ config_store_id: store.id, config_store_item_key: key })).item_value).toBe('on');
    await h.fastly.configItems.createConfigStoreItem({ config_store_id: store.id, item_key: 'caching:files.example.org', item_value: 'off' });
    expect((await failureOf(h.fastly.configItems.createConfigStoreItem({ config_store_id: store.id, item_key: key, item_value: 'x' }))).status).toBe(409);
    await h.fastly.configItems.updateConfigStoreItem({ config_store_id: store.id, config_store_item_key: 'caching:files.example.org', item_value: 'on' });
    expect(
      (await failureOf(h.fastly.configItems.updateConfigStoreItem({ config_store_id: store.id, config_store_item_key: 'absent', item_value: 'x' }))).status,
    ).toBe(404);
    expect((await h.fastly.configItems.listConfigStoreItems({ config_store_id: store.id })).map((i: any) => [i.item_key, i.item_value])).toEqual([
      ['caching:files.example.org', 'on'],
      ['caching:www.example.org', 'on'],
    ]);
    expect((await h.fastly.configStores.getConfigStoreInfo({ config_store_id: store.id })).item_count).toBe(2);

    await h.fastly.configItems.deleteConfigStoreItem({ config_store_id: store.id, config_store_item_key: key });
    expect((await failureOf(h.fastly.configItems.getConfigStoreItem({ config_store_id: store.id, config_store_item_key: key }))).status).toBe(404);
  });

  it('applies bulk changes all or nothing', async () => {
    const store = await h.fastly.configStores.createConfigStore({ name: 'bulk' });
    const bulk = (items: unknown[]) =>
      h.fastly.configItems.bulkUpdateConfigStoreItem({ config_store_id: store.id, bulk_update_config_store_list_request: { items } });
    await bulk([
      { op: 'create', item_key: 'a', item_value: '1' },
      { op: 'upsert', item_key: 'b:c', item_value: '2' },
    ]);
    expect(
      (
        await failureOf(
          bulk([
            { op: 'delete', item_key: 'a' },
            { op: 'update', item_key: 'missing', item_value: '3' },
          ]),
        )
      ).status,
    ).toBe(404);
    expect((await h.fastly.configItems.listConfigStoreItems({ config_store_id: store.id })).map((i: any) => i.item_key)).toEqual(['a', 'b:c']);
    await bulk([{ op: 'delete', item_key: 'a' }]);
    expect((await h.fastly.configItems.listConfigStoreItems({ config_store_id: store.id })).map((i: any) => i.item_key)).toEqual(['b:c']);
  });

  it("enforces the key and value limits and hides other accounts' stores", async () => {
    const store = await h.fastly.configStores.createConfigStore({ name: 'limits' });
    const long = await failureOf(
      h.fastly.configItems.upsertConfigStoreItem({ config_store_id: store.id, config_store_item_key: 'k', item_value: 'x'.repeat(8001) }),
    );
    expect(long.status).toBe(400);
    const longKey = await failureOf(
      h.fastly.configItems.upsertConfigStoreItem({ config_store_id: store.id, config_store_item_key: 'k'.repeat(256), item_value: 'x' }),
    );
    expect(longKey.status).toBe(400);
    await h.fastly.configItems.upsertConfigStoreItem({ config_store_id: store.id, config_store_item_key: 'k', item_value: 'x'.repeat(8000) });
    const other = await h.createAccount('other');
    expect((await failureOf(other.fastly.configStores.getConfigStore({ config_store_id: store.id }))).status).toBe(404);
    expect(await other.fastly.configStores.listConfigStores({})).toEqual([]);
  });
});

describe('resource links', () => {
  it('links a store to a draft version under a name, copies links on clone, refuses unknown stores', async () => {
    const serviceId = await draft();
    const store = await h.fastly.configStores.createConfigStore({ name: 'edgeplane' });
    const link = await h.fastly.resources.createResource({ service_id: serviceId, version_id: 1, resource_id: store.id, name: 'edgeplane' });
    expect(link).toMatchObject({ resource_id: store.id, name: 'edgeplane', resource_type: 'config', service_id: serviceId, version: 1 });
    expect(
      (await failureOf(h.fastly.resources.createResource({ service_id: serviceId, version_id: 1, resource_id: store.id, name: 'edgeplane' }))).status,
    ).toBe(409);
    expect((await failureOf(h.fastly.resources.createResource({ service_id: serviceId, version_id: 1, resource_id: 'nope', name: 'x' }))).status).toBe(400);
    const other = await h.createAccount('other');
    const theirs = await other.fastly.configStores.createConfigStore({ name: 'theirs' });
    expect((await failureOf(h.fastly.resources.createResource({ service_id: serviceId, version_id: 1, resource_id: theirs.id, name: 'x' }))).status).toBe(400);

    await h.fastly.versions.cloneServiceVersion({ service_id: serviceId, version_id: 1 });
    const links = await h.fastly.resources.listResources({ service_id: serviceId, version_id: 2 });
    expect(links.map((l: any) => [l.name, l.resource_id])).toEqual([['edgeplane', store.id]]);
    await h.fastly.resources.deleteResource({ service_id: serviceId, version_id: 2, id: links[0].id });
    expect(await h.fastly.resources.listResources({ service_id: serviceId, version_id: 2 })).toEqual([]);
    expect(await h.fastly.resources.listResources({ service_id: serviceId, version_id: 1 })).toHaveLength(1);
    expect((await h.fastly.configStores.listConfigStoreServices({ config_store_id: store.id })).data.map((s: any) => s.id)).toEqual([serviceId]);
  });
});
