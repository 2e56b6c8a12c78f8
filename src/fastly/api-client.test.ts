import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { serviceWithId, simControl } from '../../test/support/sim-control';
import { type RunningSimulator, startSimulator } from '../sim/server';
import { createFastlyGateway } from './create-gateway';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await sim?.close();
});

it('talks with the token it was made with, also when FASTLY_API_TOKEN names another account', async () => {
  const other = await simControl(sim).createAccount('old account');
  vi.stubEnv('FASTLY_API_TOKEN', sim.defaultAccount.token);
  const gateway = createFastlyGateway({ token: other.token, baseUrl: sim.url });
  expect((await gateway.currentCustomer()).id).toBe(other.customerId);
  const service = await gateway.createService('old-site');
  expect(serviceWithId(await simControl(sim).state(), service.id).customerId).toBe(other.customerId);
});
