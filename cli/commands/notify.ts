import { type Command, InvalidArgumentError, Option } from 'commander';
import { action } from '../action';

function eventList(value: string): string[] {
  const events = value
    .split(',')
    .map((event) => event.trim())
    .filter(Boolean);
  if (events.length === 0) throw new InvalidArgumentError('expected event types separated by commas, like domain.cached,domain.needs_attention');
  return events;
}

export function registerNotify(program: Command): void {
  const notify = program.command('notify').description("Tell people about a service's domains: webhooks and Mastodon statuses");

  notify
    .command('add')
    .description('Add a channel: a webhook (Standard Webhooks signatures) or a Mastodon account that posts a status per event')
    .argument('<service>', 'service name')
    .option('--webhook <url>', 'POST each event as signed JSON to this URL')
    .option('--secret <secret>', 'webhook signing key: UTF-8, or base64 after whsec_ (default: $EDGEPLANE_NOTIFY_SECRET)')
    .option('--mastodon <instance>', 'post a status per event on this instance, like https://toot.example')
    .option('--access-token <token>', 'token of the posting account, scope write:statuses (default: $EDGEPLANE_NOTIFY_TOKEN)')
    .addOption(new Option('--visibility <visibility>', 'visibility of the statuses').choices(['public', 'unlisted', 'private', 'direct']).default('unlisted'))
    .option('--events <types>', 'only these event types, comma-separated (default: all)', eventList)
    .option('--json', 'print the channel as JSON')
    .action(action(async () => (await import('../run/notify')).addChannel));

  notify
    .command('list')
    .description("List a service's channels with their delivery state and last failure")
    .argument('<service>', 'service name')
    .option('--json', 'print the channels as JSON')
    .action(action(async () => (await import('../run/notify')).listChannels));

  notify
    .command('remove')
    .description('Remove a channel and its undelivered events')
    .argument('<service>', 'service name')
    .argument('<id>', 'channel id (from notify list)')
    .action(action(async () => (await import('../run/notify')).removeChannel));

  notify
    .command('test')
    .description('Send a notification.test event on a channel now and say whether it arrived')
    .argument('<service>', 'service name')
    .argument('<id>', 'channel id (from notify list)')
    .option('--json', 'print the result as JSON')
    .action(action(async () => (await import('../run/notify')).testChannel));
}
