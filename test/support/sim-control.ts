import { z } from 'zod';
import type { SimStateDump } from '../../src/sim/control';

// The simulator's /__sim/ control API, as the tests drive it over HTTP. The state dump's type is
// the simulator's own (src/sim/control.ts); the other answers are parsed here.

export type { SimStateDump };
export type DumpedService = SimStateDump['services'][number];
export type DumpedVersion = DumpedService['versions'][number];
export type DumpedConfigStore = SimStateDump['configStores'][number];

export interface SimControl {
  /** Any control call, for tests of the control API itself: the status and the parsed body. */
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  state(): Promise<SimStateDump>;
  /** A new account with one API token. */
  createAccount(name: string): Promise<{ customerId: string; name: string; token: string }>;
  /** Another API token of the account. */
  addToken(customerId: string): Promise<string>;
  /** Makes a new account hold `domain` on an active service; returns the account id. */
  holdByOtherAccount(domain: string): Promise<string>;
}

const CreatedAccount = z.object({ customerId: z.string(), name: z.string(), token: z.string() });
const AddedToken = z.object({ customerId: z.string(), token: z.string() });

/** The control API of the simulator listening at `sim.url` (in this process or a child's). */
export function simControl(sim: { url: string }): SimControl {
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.url}/__sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  /** The body of a call that must answer `status`; any other answer fails with what came back. */
  const expectStatus = async (status: number, method: string, path: string, body?: unknown) => {
    const answer = await control(method, path, body);
    if (answer.status !== status) throw new Error(`${method} /__sim${path} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const createAccount = async (name: string) => CreatedAccount.parse(await expectStatus(201, 'POST', '/accounts', { name }));
  return {
    control,
    state: async () => (await expectStatus(200, 'GET', '/state')) as SimStateDump,
    createAccount,
    addToken: async (customerId) => AddedToken.parse(await expectStatus(201, 'POST', `/accounts/${customerId}/tokens`)).token,
    async holdByOtherAccount(domain) {
      const account = await createAccount(`old-${domain}`);
      await expectStatus(201, 'POST', '/holds', { domain, account: account.customerId });
      return account.customerId;
    },
  };
}

/** The service called `name` in a state dump; fails naming the services there are. */
export function serviceNamed(state: SimStateDump, name: string): DumpedService {
  const service = state.services.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`no service named ${name} in the simulator; there are: ${state.services.map((s) => s.name).join(', ')}`);
  return service;
}

/** The service with Fastly id `id` in a state dump; fails naming the ids there are. */
export function serviceWithId(state: SimStateDump, id: string): DumpedService {
  const service = state.services.find((candidate) => candidate.id === id);
  if (!service) throw new Error(`no service ${id} in the simulator; there are: ${state.services.map((s) => s.id).join(', ')}`);
  return service;
}

/** The config store called `name` in a state dump; fails naming the stores there are. */
export function configStoreNamed(state: SimStateDump, name: string): DumpedConfigStore {
  const store = state.configStores.find((candidate) => candidate.name === name);
  if (!store) throw new Error(`no config store named ${name} in the simulator; there are: ${state.configStores.map((s) => s.name).join(', ')}`);
  return store;
}

/** The active version of a dumped service, or undefined when none is. */
export const activeVersion = (service: DumpedService): DumpedVersion | undefined => service.versions.find((version) => version.active);

/** Versions neither active nor locked: the drafts a service has open. */
export const draftsOf = (service: DumpedService): DumpedVersion[] => service.versions.filter((version) => !version.locked && !version.active);
