import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../../src/duration';
import { DEFAULT_SEED, startSimulator } from '../../src/sim/server';

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError(`not a duration: "${value}" (try 2s, 10m, 1h)`);
  }
}

function integer(min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return parsed;
  };
}

/** `edgeplane sim`: serves the Fastly API simulator until Ctrl-C. */
export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('Run the local Fastly API simulator (stands in for api.fastly.com)')
    .option('--port <port>', 'port to listen on', integer(0), 8900)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--release-delay <duration>', 'how long a domain stays refused after its holder lets go').argParser(duration).default(5 * 60_000, '5m'),
    )
    .addOption(new Option('--tls-delay <duration>', 'time for each TLS step, pending -> processing -> issued').argParser(duration).default(30_000, '30s'))
    .option('--seed <n>', 'seed for ids and injected faults (same seed, same ids)', integer(0), DEFAULT_SEED)
    .option('--write-limit <n>', 'non-GET requests per hour per user before 429', integer(1), 1000)
    .action(async (options: { port: number; host: string; releaseDelay: number; tlsDelay: number; seed: number; writeLimit: number }) => {
      const sim = await startSimulator({
        port: options.port,
        host: options.host,
        releaseDelayMs: options.releaseDelay,
        tlsDelayMs: options.tlsDelay,
        seed: options.seed,
        writeLimitPerHour: options.writeLimit,
      });
      const { customerId, token } = sim.defaultAccount;
      console.log(`Fastly API simulator listening on ${sim.url}`);
      console.log(`Default account ${customerId}, API token: ${token}`);
      console.log('');
      console.log('Use it:');
      console.log(`  export FASTLY_API_URL=${sim.url} FASTLY_API_TOKEN=${token}`);
      console.log(`  curl -s -H "Fastly-Key: ${token}" ${sim.url}/service`);
      console.log(`  curl -s -X POST ${sim.url}/__sim/accounts -H 'content-type: application/json' -d '{"name":"other"}'`);
      console.log(`  curl -s ${sim.url}/__sim/state`);
      console.log('Press Ctrl-C to stop.');
      const stop = () => void sim.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
