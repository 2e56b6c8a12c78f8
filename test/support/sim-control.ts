import type { RunningSimulator } from '../../src/sim/server';

// The simulator's /__sim/ control API, as the tests drive it over HTTP.

export interface SimControl {
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  state(): Promise<any>;
  /** Makes a new account hold `domain` on an active service; returns the account id. */
  holdByOtherAccount(domain: string): Promise<string>;
}

export function simControl(sim: RunningSimulator): SimControl {
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.url}/__sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  return {
    control,
    state: async () => (await control('GET', '/state')).body,
    async holdByOtherAccount(domain) {
      const account = await control('POST', '/accounts', { name: `old-${domain}` });
      const hold = await control('POST', '/holds', { domain, account: account.body.customerId });
      if (hold.status !== 201) throw new Error(`hold failed: ${JSON.stringify(hold.body)}`);
      return account.body.customerId as string;
    },
  };
}
