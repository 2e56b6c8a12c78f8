import { Miniflare } from 'miniflare';

// The Worker's deployable bundle running in workerd (through Miniflare), in a process of its own
// so that a test can cut it off by killing the process group: workerd dies with it, mid-call.
// WORKER_OPTIONS: wrangler.toml's settings as wrangler gives them to Miniflare, with the bundle
// and the bindings; D1_PERSIST: where the local D1 lives across restarts.
// Prints {"url": …} once the Worker answers; `/cdn-cgi/handler/scheduled` runs its cron handler.
// Plain JavaScript, so that node runs it without tsx: a crash test starts it once per cut.

const options = JSON.parse(process.env.WORKER_OPTIONS ?? '');
const mf = new Miniflare({
  ...options,
  d1Persist: process.env.D1_PERSIST,
  unsafeTriggerHandlers: true,
  cf: false,
  host: '127.0.0.1',
  port: 0,
});
const url = await mf.ready;
process.stdout.write(`${JSON.stringify({ url: url.origin })}\n`);
const stop = () => void mf.dispose().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
