import { createRoute, z } from '@hono/zod-openapi';
import { ChannelInput, ChannelView, type NotificationsApi, TestResult } from '../../src/notify/model';
import { jsonBody, problems, routeGroup, ServiceParams } from '../openapi-parts';

const ChannelViewSchema = ChannelView.meta({ id: 'NotificationChannel', description: 'A channel, without its secret or token' });
const ChannelParams = ServiceParams.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'ch_0123456789abcdef' }),
});

const addChannel = createRoute({
  method: 'post',
  path: '/v1/services/{name}/notifications',
  tags: ['notifications'],
  summary: 'Add a notification channel',
  description:
    'A `webhook` (Standard Webhooks: headers `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`; '
    + "the key is the secret's UTF-8 bytes, or its base64 after a `whsec_` prefix) or a `mastodon` account that posts a status per event. "
    + 'The secret and the token are never shown again.',
  request: {
    params: ServiceParams,
    body: jsonBody(
      ChannelInput.meta({
        id: 'NotificationChannelInput',
        example: { kind: 'webhook', url: 'https://hooks.example/edgeplane', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      }),
      'The channel',
    ),
  },
  responses: {
    201: { description: 'The channel', content: { 'application/json': { schema: ChannelViewSchema } } },
    ...problems(400, 401, 404, 413, 415),
  },
});

const listChannels = createRoute({
  method: 'get',
  path: '/v1/services/{name}/notifications',
  tags: ['notifications'],
  summary: "List a service's notification channels, with their delivery state",
  request: { params: ServiceParams },
  responses: {
    200: { description: 'The channels', content: { 'application/json': { schema: z.object({ channels: z.array(ChannelViewSchema) }) } } },
    ...problems(400, 401, 404),
  },
});

const removeChannel = createRoute({
  method: 'delete',
  path: '/v1/services/{name}/notifications/{id}',
  tags: ['notifications'],
  summary: 'Remove a notification channel and its undelivered events',
  request: { params: ChannelParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 401, 404) },
});

const testChannel = createRoute({
  method: 'post',
  path: '/v1/services/{name}/notifications/{id}/test',
  tags: ['notifications'],
  summary: 'Send a `notification.test` event now',
  description: 'Sent at once, outside the outbox; the answer says whether the receiver took it and, if not, why.',
  request: { params: ChannelParams },
  responses: {
    200: { description: 'What happened', content: { 'application/json': { schema: TestResult.meta({ id: 'NotificationTestResult' }) } } },
    ...problems(400, 401, 404),
  },
});

export function notificationRoutes(notifications: NotificationsApi) {
  return routeGroup()
    .openapi(addChannel, async (c) => c.json(await notifications.add(c.req.valid('param').name, c.req.valid('json')), 201))
    .openapi(listChannels, async (c) => c.json({ channels: await notifications.list(c.req.valid('param').name) }, 200))
    .openapi(removeChannel, async (c) => {
      const { name, id } = c.req.valid('param');
      await notifications.remove(name, id);
      return c.body(null, 204);
    })
    .openapi(testChannel, async (c) => {
      const { name, id } = c.req.valid('param');
      return c.json(await notifications.test(name, id), 200);
    });
}
