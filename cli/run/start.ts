import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESTING_STATES } from '../../src/lifecycle/transitions';
import type { RunningSimulator } from '../../src/sim/server';
import { ApiClient } from '../client';
import { ExitCode } from '../exit-codes';
import { duration as formatDuration } from '../format';
import { edgeplaneCommand } from '../invocation';
import { listenAs, probePort } from '../listen';
import { ensureEdgePackage } from '../local-stack/edge-package';
import { startServeChild } from '../local-stack/serve-child';
import { followStory, seedSite, simAccounts } from '../local-stack/story';
import { type LocalWebhookReceiver, startWebhookReceiver } from '../local-stack/webhook-receiver';

const clock = () => new Date().toISOString().slice(11, 19);

// `edgeplane start` (what `npm start` runs): the whole local stack in one command. Without
// FASTLY_API_TOKEN it runs the Fastly simulator and plays the seed story; with it, it serves the
// control plane against that Fastly account and seeds nothing.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The demo's database, in the data directory; emptied at every start with the simulator. */
export const DEMO_DB_FILE = 'demo.db';

export interface StartOptions {
  domain: string;
  service: string;
  dataDir: string;
  apiPort: number;
  simPort: number;
  originPort: number;
  edgePort: number;
  letGoAfter: number;
  releaseDelay: number;
  tlsDelay: number;
  retryInitial: number;
  retryMax: number;
  pollInterval: number;
  package?: string;
  edge: boolean;
  exitWhenCached: boolean;
}

function stopSignal(): { promise: Promise<void>; fired: () => boolean } {
  let fired = false;
  const promise = new Promise<void>((resolve) => {
    const onSignal = () => {
      fired = true;
      console.log('\nStopping every part of the stack...');
      process.once('SIGINT', () => process.exit(130));
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return { promise, fired: () => fired };
}

export async function runStart(options: StartOptions): Promise<ExitCode> {
  const say = (line: string) => console.log(line);
  // Notifications are held while the story is followed, and said after the history read next:
  // each is sent after its change is saved, so it then comes after the change it tells of.
  const held: string[] = [];
  let holding = true;
  const notice = (line: string) => (holding ? held.push(line) : say(line));
  const simulated = !process.env.FASTLY_API_TOKEN;
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // With the simulator the database is scratch (it is emptied below), so it has a file of its own:
  // never the operator's EDGEPLANE_DB nor the default database of `serve`.
  const dbPath = simulated ? join(dataDir, DEMO_DB_FILE) : process.env.EDGEPLANE_DB || join(dataDir, 'edgeplane.db');
  const stop = stopSignal();
  const cleanups: (() => Promise<void> | void)[] = [];
  // Loaded here so that the other commands do not pay for them.
  const [{ startSimulator }, { startDemoOrigin }, { startLocalEdge }] = await Promise.all([
    import('../../src/sim/server'),
    import('../../src/demo/origin'),
    import('../../edge/local/server'),
  ]);

  try {
    const packagePath = options.package ? resolve(options.package) : await ensureEdgePackage(ROOT, join(dataDir, 'build-edge.log'), say);

    const serveEnv: Record<string, string> = {
      EDGEPLANE_API_TOKEN: process.env.EDGEPLANE_API_TOKEN || randomBytes(24).toString('base64url'),
      EDGEPLANE_DB: dbPath,
      EDGEPLANE_PORT: String(options.apiPort),
      EDGEPLANE_PACKAGE: packagePath,
    };
    let sim: RunningSimulator | null = null;
    if (simulated) {
      sim = await listenAs('Fastly simulator', '--sim-port', () =>
        startSimulator({ port: options.simPort, releaseDelayMs: options.releaseDelay, tlsDelayMs: options.tlsDelay }),
      );
      cleanups.push(() => sim!.close());
      // The simulator starts empty every time, so the database that described it must too.
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${dbPath}${suffix}`, { force: true });
      Object.assign(serveEnv, {
        FASTLY_API_TOKEN: sim.defaultAccount.token,
        FASTLY_API_URL: sim.url,
        EDGEPLANE_RETRY_INITIAL: String(options.retryInitial),
        EDGEPLANE_RETRY_MAX: String(options.retryMax),
        // Release hints from the simulator's edge, which knows the simulator's domains.
        EDGEPLANE_FASTLY_EDGE: sim.edgeAddress,
      });
    }

    await listenAs('control plane API', '--api-port', () => probePort(options.apiPort));
    const serve = await startServeChild(serveEnv, join(dataDir, 'serve.log'), ['--poll-interval', `${options.pollInterval}ms`]);
    cleanups.push(() => serve.stop());
    // The demo instance's @alice posts the statuses of the Mastodon channel; its page lists them.
    const statusToken = randomBytes(18).toString('base64url');
    const origin = sim
      ? await listenAs('demo origin', '--origin-port', () =>
          startDemoOrigin({
            port: options.originPort,
            domain: options.domain,
            staticDomain: `files.${options.domain}`,
            statusToken,
            onStatus: (status, text) => notice(`${clock()}  mastodon @${status.account.username} (${status.visibility}): ${text}`),
          }),
        )
      : null;
    if (origin) cleanups.push(() => origin.close());
    let edge: { url: string; close(): Promise<void> } | null = null;
    if (sim && origin && options.edge) {
      const edgeLog = createWriteStream(join(dataDir, 'edge.log'), { flags: 'a' });
      cleanups.push(() => void edgeLog.end());
      edge = await listenAs('local edge', '--edge-port', () =>
        startLocalEdge({
          port: options.edgePort,
          originMain: origin.url,
          originStatic: origin.url,
          fastlyUrl: sim.url,
          fastlyToken: sim.defaultAccount.token,
          service: options.service,
          log: (entry) => edgeLog.write(`${JSON.stringify(entry)}\n`),
        }),
      );
    }
    if (edge) cleanups.push(() => edge!.close());

    const client = new ApiClient({ url: serve.url, token: serveEnv.EDGEPLANE_API_TOKEN! });
    const staticDomain = `files.${options.domain}`;
    let receiver: LocalWebhookReceiver | null = null;
    if (sim && origin) {
      const accounts = simAccounts(sim.url);
      await accounts.holdByPreviousAccount(options.domain);
      const originAddress = new URL(origin.url);
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      receiver = await startWebhookReceiver(secret, (line) => notice(`${clock()}  ${line}`));
      cleanups.push(() => receiver!.close());
      const site = {
        service: options.service,
        domain: options.domain,
        staticDomain,
        origin: { address: originAddress.hostname, port: Number(originAddress.port) },
      };
      await seedSite(client, site, async () => {
        await client.addNotification(options.service, { kind: 'webhook', url: receiver!.url, secret });
        await client.addNotification(options.service, { kind: 'mastodon', instance: origin.url, accessToken: statusToken, visibility: 'public' });
      });
      const letGo = setTimeout(() => {
        accounts
          .letGo(options.domain)
          .then(() => say(`${clock()}  the previous account let go of ${options.domain}; Fastly keeps refusing it for ${formatDuration(options.releaseDelay)}`))
          .catch((error: unknown) => say(`could not let go of ${options.domain}: ${String(error)}`));
      }, options.letGoAfter);
      cleanups.push(() => clearTimeout(letGo));
    }

    for (const line of banner({
      options,
      apiUrl: serve.url,
      apiToken: serveEnv.EDGEPLANE_API_TOKEN!,
      simUrl: sim?.url ?? null,
      originUrl: origin?.url ?? null,
      edgeUrl: edge?.url ?? null,
      webhookUrl: receiver?.url ?? null,
    })) {
      say(line);
    }

    if (!sim) {
      await stop.promise;
      return ExitCode.ok;
    }
    const seeded = [options.domain, staticDomain];
    const settled = (records: Awaited<ReturnType<ApiClient['listDomains']>>) =>
      stop.fired()
      || seeded.every((domain) => {
        const state = records.find((r) => r.domain === domain)?.state;
        return state !== undefined && RESTING_STATES.includes(state);
      });
    const records = await followStory(client, options.service, say, settled, 1000, () => held.splice(0));
    for (const line of held.splice(0)) say(line);
    holding = false;
    const main = records.find((record) => record.domain === options.domain);
    if (!stop.fired()) {
      if (main?.state === 'cached') {
        say('');
        // With --exit-when-cached the edge stops right after this line: no curl it could answer.
        const tryIt = edge && !options.exitWhenCached ? ` Try: curl -i -H 'Host: ${options.domain}' ${edge.url}/api/v1/instance` : '';
        say(`${options.domain} is cached.${tryIt}`);
      } else {
        say(
          `${options.domain} stopped at ${main?.state}: ${main?.lastError?.detail ?? `see ${edgeplaneCommand()} domains status --service ${options.service}`}`,
        );
      }
      if (options.exitWhenCached) return main?.state === 'cached' ? ExitCode.ok : ExitCode.needsAttention;
      await stop.promise;
    }
    return ExitCode.ok;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`while stopping: ${String(error)}`);
      }
    }
  }
}

interface BannerFacts {
  options: StartOptions;
  apiUrl: string;
  apiToken: string;
  simUrl: string | null;
  originUrl: string | null;
  edgeUrl: string | null;
  webhookUrl: string | null;
}

/** What `npm start` prints once everything is up: where things are, the story, how to watch it. */
function banner({ options, apiUrl, apiToken, simUrl, originUrl, edgeUrl, webhookUrl }: BannerFacts): string[] {
  const edgeplane = edgeplaneCommand();
  const lines = [
    '',
    `edgeplane is running ${simUrl ? 'against the local Fastly simulator' : `against Fastly (${process.env.FASTLY_API_URL || 'https://api.fastly.com'})`}`,
    `  control plane API   ${apiUrl}   (docs: ${apiUrl}/docs, metrics: ${apiUrl}/metrics)`,
    `  API token           ${apiToken}`,
  ];
  if (simUrl) lines.push(`  Fastly simulator    ${simUrl}`);
  if (originUrl) lines.push(`  demo origin         ${originUrl}   (a small Mastodon instance)`);
  if (edgeUrl) lines.push(`  local edge          ${edgeUrl}   (curl -H 'Host: ${options.domain}' ${edgeUrl}/)`);
  if (webhookUrl && originUrl) {
    lines.push(`  notifications       a webhook to ${webhookUrl}, and statuses by @alice on the demo instance (${originUrl}/__demo/statuses)`);
  }
  lines.push(`  logs                ${join(options.dataDir, 'serve.log')}${edgeUrl ? `, ${join(options.dataDir, 'edge.log')}` : ''}`, '');
  if (simUrl) {
    lines.push(
      `The story: a previous Fastly account still holds ${options.domain}. It lets go in ${formatDuration(options.letGoAfter)};`,
      `Fastly releases the domain ${formatDuration(options.releaseDelay)} later. Meanwhile edgeplane keeps probing, then attaches it,`,
      'gets its certificate and switches caching on: waiting_for_release turns into cached.',
    );
  } else {
    lines.push(
      'Nothing was seeded. Create your service and attach your domains:',
      `  ${edgeplane} services create NAME --main-origin LB_HOST --static-origin FILES_HOST`,
    );
  }
  lines.push(
    '',
    'Watch it from another terminal:',
    `  export EDGEPLANE_URL=${apiUrl} EDGEPLANE_API_TOKEN=${apiToken} EDGEPLANE_SERVICE=${options.service}`,
    `  ${edgeplane} domains wait ${options.domain} --service ${options.service}`,
    `  ${edgeplane} domains status --service ${options.service}`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  );
  return lines;
}
