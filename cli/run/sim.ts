import { startSimulator } from '../../src/sim/server';
import { exitWhenWritten } from '../exit';
import { listenAs } from '../listen';

export interface SimOptions {
  port: number;
  host: string;
  releaseDelay: number;
  tlsDelay: number;
  seed: number;
  writeLimit: number;
}

/** `edgeplane sim`: serves the Fastly API simulator until Ctrl-C. */
export async function runSimulator(options: SimOptions): Promise<void> {
  const sim = await listenAs('Fastly simulator', '--port', () =>
    startSimulator({
      port: options.port,
      host: options.host,
      releaseDelayMs: options.releaseDelay,
      tlsDelayMs: options.tlsDelay,
      seed: options.seed,
      writeLimitPerHour: options.writeLimit,
    }),
  );
  const { customerId, token } = sim.defaultAccount;
  console.log(`Fastly API simulator listening on ${sim.url}; its edge (by Host header) on ${sim.edgeAddress}`);
  console.log(`Default account ${customerId}, API token: ${token}`);
  console.log('');
  console.log('Use it:');
  console.log(`  export FASTLY_API_URL=${sim.url} FASTLY_API_TOKEN=${token} EDGEPLANE_FASTLY_EDGE=${sim.edgeAddress}`);
  console.log(`  curl -s -H "Fastly-Key: ${token}" ${sim.url}/service`);
  console.log(`  curl -s -X POST ${sim.url}/__sim/accounts -H 'content-type: application/json' -d '{"name":"other"}'`);
  console.log(`  curl -s ${sim.url}/__sim/state`);
  console.log('Press Ctrl-C to stop.');
  const stop = () => void sim.close().then(() => exitWhenWritten(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
