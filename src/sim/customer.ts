import { Hono } from 'hono';
import type { SimEnv } from './env';

/** `GET /current_customer`: the account the token belongs to (id and name, the fields we read). */
export function customerRoutes() {
  const app = new Hono<SimEnv>();
  app.get('/current_customer', (c) => {
    const account = c.get('account');
    return c.json({ id: account.customerId, name: account.name });
  });
  return app;
}
