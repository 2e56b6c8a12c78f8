import { ManualClock } from '../../src/clock';
import { createFastlyApiClient } from '../../src/fastly/api-client';
import * as Fastly from '../../src/fastly/fastly-classes';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/sim/server';
import { type SimControl, simControl } from './sim-control';

// Starts the simulator on 127.0.0.1 with a hand-moved clock, and gives the official fastly-js
// API classes pointed at it, plus the /__sim/ control API.

export interface FastlyApis {
  services: any;
  versions: any;
  domains: any;
  backends: any;
  packages: any;
  configStores: any;
  configItems: any;
  resources: any;
  tls: any;
  purge: any;
}

export function fastlyApis(token: string, url: string): FastlyApis {
  const client = createFastlyApiClient(token, url);
  return {
    services: new Fastly.ServiceApi(client),
    versions: new Fastly.VersionApi(client),
    domains: new Fastly.DomainApi(client),
    backends: new Fastly.BackendApi(client),
    packages: new Fastly.PackageApi(client),
    configStores: new Fastly.ConfigStoreApi(client),
    configItems: new Fastly.ConfigStoreItemApi(client),
    resources: new Fastly.ResourceApi(client),
    tls: new Fastly.TlsSubscriptionsApi(client),
    purge: new Fastly.PurgeApi(client),
  };
}

export interface SimHarness extends Pick<SimControl, 'control' | 'state' | 'addToken'> {
  sim: RunningSimulator;
  clock: ManualClock;
  /** APIs of the default account. */
  fastly: FastlyApis;
  createAccount(name: string): Promise<{ customerId: string; token: string; fastly: FastlyApis }>;
}

export async function startSimHarness(options: SimulatorOptions = {}): Promise<SimHarness> {
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  const sim = await startSimulator({ clock, ...options });
  const { control, state, addToken, createAccount } = simControl(sim);
  return {
    sim,
    clock,
    fastly: fastlyApis(sim.defaultAccount.token, sim.url),
    control,
    async createAccount(name) {
      const { customerId, token } = await createAccount(name);
      return { customerId, token, fastly: fastlyApis(token, sim.url) };
    },
    state,
    addToken,
  };
}

/** The Fastly error a fastly-js call rejected with: status, parsed body, headers. */
export async function failureOf(call: Promise<unknown>): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  try {
    await call;
  } catch (error: any) {
    if (typeof error?.status !== 'number') throw error;
    return { status: error.status, body: error.response?.body, headers: error.response?.headers ?? {} };
  }
  throw new Error('expected the call to fail, it succeeded');
}
