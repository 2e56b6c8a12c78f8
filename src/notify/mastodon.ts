import { createRestAPIClient } from 'masto';
import type { NotificationEvent } from './model';

// The Mastodon channel: a status from an account of the instance, in words for its users. The
// event id is Mastodon's Idempotency-Key, so a retried post (after a timeout, say) is not posted twice.

/** The status text: what happens for the instance's users, not the control plane's jargon. */
function statusText(event: NotificationEvent): string {
  const { domain, service } = event.data;
  const name = domain ?? service;
  switch (event.type) {
    case 'domain.waiting_for_release':
      return `${name} is moving to a faster network. The move waits for its previous provider to let go; until then everything works as before, and media may load slowly.`;
    case 'domain.stale':
      return `The move of ${name} to a faster network is still waiting for its previous provider, for a week now. Everything keeps working; media may load slowly until the move is done.`;
    case 'domain.active':
      return `${name} now runs through the faster network. A secure certificate is being set up next; you should not notice anything.`;
    case 'domain.securing':
      return `${name} is getting its secure certificate on the faster network. Nothing changes for you in the meantime.`;
    case 'domain.cached':
      return `${name} is now served from a network close to you: pages and media should load faster.`;
    case 'domain.needs_attention':
      return `The move of ${name} to a faster network needs a hand from the admins. Everything keeps working as before; media may load slowly until it is fixed.`;
    case 'domain.recovered':
      return `The admins fixed what held up the move of ${name}; it goes on now.`;
    case 'notification.test':
      return `A test from the admins of ${name}: this is where news about the instance's network will appear.`;
    case 'service.needs_attention':
      return `The setup of the faster network for ${name} needs a hand from the admins. Everything keeps working as before.`;
  }
}

export async function postStatus(
  target: { instance: string; accessToken: string; visibility: 'public' | 'unlisted' | 'private' | 'direct' },
  id: string,
  event: NotificationEvent,
  timeoutMs: number,
): Promise<void> {
  const client = createRestAPIClient({ url: target.instance, accessToken: target.accessToken, timeout: timeoutMs });
  await client.v1.statuses.create({ status: statusText(event), visibility: target.visibility }, { requestInit: { headers: { 'Idempotency-Key': id } } });
}
