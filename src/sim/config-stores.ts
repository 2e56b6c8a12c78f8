import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { fastlyError, notFound } from './errors';
import type { ConfigStore, SimState } from './state';

// Limits from docs/fastly-facts.md ("Config Store").
const Key = z.string().min(1, 'item_key is required').max(255, 'item_key is longer than 255 characters');
const Value = z.string().max(8000, 'item_value is longer than 8000 characters');
const StoreName = z.object({ name: z.string().trim().min(1, 'name is required').max(255) });
const NewItem = z.object({ item_key: Key, item_value: Value });
const ItemValue = z.object({ item_value: Value });
const BulkItems = z.object({
  items: z
    .array(z.object({ op: z.enum(['create', 'update', 'upsert', 'delete']), item_key: Key, item_value: Value.optional() }))
    .min(1)
    .max(1000),
});

const storeView = (store: ConfigStore) => ({ id: store.id, name: store.name, created_at: store.created_at, updated_at: store.updated_at, deleted_at: null });

function itemView(store: ConfigStore, key: string) {
  const item = store.items.get(key)!;
  return { store_id: store.id, item_key: key, item_value: item.value, created_at: item.created_at, updated_at: item.updated_at, deleted_at: null };
}

/** Config stores and their items. Items are account-level: a change applies to every version at once. */
export function configStoreRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const base = '/resources/stores/config';

  const storeOf = (c: Context<SimEnv>) => {
    const id = c.req.param('storeId') ?? '';
    const store = state.configStores.get(id);
    if (!store || store.customerId !== c.get('account').customerId) throw notFound(`Couldn't find config store '${id}'`);
    return store;
  };
  const keyOf = (c: Context<SimEnv>) => Key.safeParse(c.req.param('key')).data ?? '';
  const existingItem = (c: Context<SimEnv>, store: ConfigStore) => {
    const key = keyOf(c);
    if (!store.items.has(key)) throw notFound(`Couldn't find item '${key}' in config store '${store.id}'`);
    return key;
  };
  const setItem = (store: ConfigStore, key: string, value: string) => {
    const now = state.timestamp();
    store.items.set(key, { value, created_at: store.items.get(key)?.created_at ?? now, updated_at: now });
    store.updated_at = now;
  };
  const duplicateName = (customerId: string, name: string, except?: string) =>
    [...state.configStores.values()].some((store) => store.customerId === customerId && store.name === name && store.id !== except);

  app.post(base, async (c) => {
    const { name } = await bodyOf(c, StoreName);
    const customerId = c.get('account').customerId;
    if (duplicateName(customerId, name)) throw fastlyError(409, 'Duplicate record', `A config store named '${name}' already exists`);
    const now = state.timestamp();
    const store: ConfigStore = { id: state.random.id(), customerId, name, items: new Map(), created_at: now, updated_at: now };
    state.configStores.set(store.id, store);
    return c.json(storeView(store));
  });

  app.get(base, (c) => {
    const name = c.req.query('name');
    const stores = [...state.configStores.values()].filter(
      (store) => store.customerId === c.get('account').customerId && (name === undefined || store.name === name),
    );
    return c.json(stores.map(storeView));
  });

  app.get(`${base}/:storeId`, (c) => c.json(storeView(storeOf(c))));

  app.put(`${base}/:storeId`, async (c) => {
    const store = storeOf(c);
    const { name } = await bodyOf(c, StoreName);
    if (duplicateName(store.customerId, name, store.id)) throw fastlyError(409, 'Duplicate record', `A config store named '${name}' already exists`);
    store.name = name;
    store.updated_at = state.timestamp();
    return c.json(storeView(store));
  });

  app.delete(`${base}/:storeId`, (c) => {
    const store = storeOf(c);
    state.configStores.delete(store.id);
    return c.json({ status: 'ok' });
  });

  app.get(`${base}/:storeId/info`, (c) => c.json({ item_count: storeOf(c).items.size }));

  // Which services link the store, in any version.
  app.get(`${base}/:storeId/services`, (c) => {
    const store = storeOf(c);
    const services = state
      .servicesOf(store.customerId)
      .filter((service) => service.versions.some((version) => version.resources.some((link) => link.resource_id === store.id)))
      .map((service) => ({ id: service.id, name: service.name, type: service.type }));
    return c.json({ data: services });
  });

  app.get(`${base}/:storeId/items`, (c) => {
    const store = storeOf(c);
    return c.json([...store.items.keys()].sort().map((key) => itemView(store, key)));
  });

  app.patch(`${base}/:storeId/items`, async (c) => {
    const store = storeOf(c);
    const { items } = await bodyOf(c, BulkItems);
    for (const item of items) {
      const exists = store.items.has(item.item_key);
      if (item.op === 'create' && exists) throw fastlyError(409, 'Duplicate record', `Item '${item.item_key}' already exists`);
      if (item.op === 'update' && !exists) throw notFound(`Couldn't find item '${item.item_key}'`);
      if (item.op !== 'delete' && item.item_value === undefined) throw fastlyError(400, 'Bad request', `item_value is required for '${item.op}'`);
    }
    for (const item of items) {
      if (item.op === 'delete') store.items.delete(item.item_key);
      else setItem(store, item.item_key, item.item_value!);
    }
    return c.json({ status: 'ok' });
  });

  app.post(`${base}/:storeId/item`, async (c) => {
    const store = storeOf(c);
    const input = await bodyOf(c, NewItem);
    if (store.items.has(input.item_key)) throw fastlyError(409, 'Duplicate record', `Item '${input.item_key}' already exists`);
    setItem(store, input.item_key, input.item_value);
    return c.json(itemView(store, input.item_key));
  });

  app.get(`${base}/:storeId/item/:key`, (c) => {
    const store = storeOf(c);
    return c.json(itemView(store, existingItem(c, store)));
  });

  app.put(`${base}/:storeId/item/:key`, async (c) => {
    const store = storeOf(c);
    const key = Key.safeParse(c.req.param('key'));
    if (!key.success) throw fastlyError(400, 'Bad request', key.error.issues[0]!.message);
    setItem(store, key.data, (await bodyOf(c, ItemValue)).item_value);
    return c.json(itemView(store, key.data));
  });

  app.patch(`${base}/:storeId/item/:key`, async (c) => {
    const store = storeOf(c);
    const key = existingItem(c, store);
    setItem(store, key, (await bodyOf(c, ItemValue)).item_value);
    return c.json(itemView(store, key));
  });

  app.delete(`${base}/:storeId/item/:key`, (c) => {
    const store = storeOf(c);
    store.items.delete(existingItem(c, store));
    store.updated_at = state.timestamp();
    return c.json({ status: 'ok' });
  });

  return app;
}
