import { type Command, InvalidArgumentError } from 'commander';
import { action } from '../action';

/** `host` or `host:port` (default port 443). */
function originAddress(value: string): { address: string; port: number } {
  const match = /^([^:\s/]+)(?::(\d{1,5}))?$/.exec(value);
  const port = match?.[2] === undefined ? 443 : Number(match[2]);
  if (!match || port < 1 || port > 65535) throw new InvalidArgumentError('expected HOST or HOST:PORT, like lb.toot.example:443');
  return { address: match[1]!, port };
}

export function registerServices(program: Command): void {
  const services = program.command('services').description('Create and inspect Fastly Compute services');

  services
    .command('create')
    .description('Create (or adopt) the Fastly Compute service of a site')
    .argument('<name>', 'service name: lower-case letters, digits and dashes')
    .requiredOption('--main-origin <host[:port]>', "the instance's load balancer", originAddress)
    .requiredOption('--static-origin <host[:port]>', 'the files origin (object storage or the files host)', originAddress)
    .option('--main-host-header <host>', "Host header sent to the load balancer (default: the client's Host)")
    .option('--static-host-header <host>', 'Host header sent to the files origin (default: its address)')
    .option('--static-path-prefix <path>', 'path prefix added in front of static paths, like /toot-media')
    .option('--no-origin-tls', 'connect to the origins over plain HTTP')
    .option('--config-store <name>', "the service's own Config Store, which the edge reads (default: edgeplane-<name>)")
    .option('--main-domain <domain>', "also attach the instance's domain as the main host (as `domains attach D --role main`)")
    .option('--www-redirect', 'also attach www.<main host> with role redirect (301 to the main host)')
    .option('--json', 'print the service record as JSON')
    .action(action(async () => (await import('../run/services')).createService));

  services
    .command('list')
    .description('List services')
    .option('--json', 'print the service records as JSON')
    .action(action(async () => (await import('../run/services')).listServices));

  services
    .command('show')
    .description('Show a service: Fastly service id, active version, origins, domains')
    .argument('<name>', 'service name')
    .option('--json', 'print the service record as JSON')
    .action(action(async () => (await import('../run/services')).showService));
}
