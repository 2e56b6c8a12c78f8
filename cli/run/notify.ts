import type { ChannelInput, ChannelView } from '../../src/notify/model';
import { apiClient } from '../client';
import { CliExit, ExitCode } from '../exit-codes';
import { formatChannels, printJson } from '../format';
import { edgeplaneCommand } from '../invocation';

// `edgeplane notify add|list|remove|test`. Secrets may come from the environment, so they need
// not appear in the shell history or the process list.

export interface AddOptions {
  webhook?: string;
  secret?: string;
  mastodon?: string;
  accessToken?: string;
  visibility: 'public' | 'unlisted' | 'private' | 'direct';
  events?: string[];
  json?: boolean;
}

function channelInput(options: AddOptions): ChannelInput {
  const events = options.events ? { events: options.events as NonNullable<ChannelInput['events']> } : {};
  if (Boolean(options.webhook) === Boolean(options.mastodon)) throw new CliExit(ExitCode.usage, 'give either --webhook <url> or --mastodon <instance>');
  if (options.webhook) {
    const secret = options.secret ?? process.env.EDGEPLANE_NOTIFY_SECRET;
    if (!secret) throw new CliExit(ExitCode.usage, 'a webhook needs --secret (or EDGEPLANE_NOTIFY_SECRET): the key its signatures are made with');
    return { kind: 'webhook', url: options.webhook, secret, ...events };
  }
  const accessToken = options.accessToken ?? process.env.EDGEPLANE_NOTIFY_TOKEN;
  if (!accessToken) throw new CliExit(ExitCode.usage, 'a Mastodon channel needs --access-token (or EDGEPLANE_NOTIFY_TOKEN) of the posting account');
  return { kind: 'mastodon', instance: options.mastodon!, accessToken, visibility: options.visibility, ...events };
}

export async function addChannel(service: string, options: AddOptions): Promise<void> {
  const channel = await apiClient().addNotification(service, channelInput(options));
  if (options.json) printJson(channel);
  else console.log(`Added ${channel.kind} channel ${channel.id} → ${channel.target}\nTry it: ${edgeplaneCommand()} notify test ${service} ${channel.id}`);
}

export async function listChannels(service: string, options: { json?: boolean }): Promise<void> {
  const channels: ChannelView[] = await apiClient().listNotifications(service);
  if (options.json) printJson(channels);
  else console.log(formatChannels(service, channels));
}

export async function removeChannel(service: string, id: string): Promise<void> {
  await apiClient().removeNotification(service, id);
  console.log(`Removed channel ${id}`);
}

export async function testChannel(service: string, id: string, options: { json?: boolean }): Promise<ExitCode> {
  const result = await apiClient().testNotification(service, id);
  if (options.json) printJson(result);
  else console.log(result.delivered ? `Delivered test event ${result.eventId}` : `Not delivered: ${result.error}`);
  return result.delivered ? ExitCode.ok : ExitCode.error;
}
