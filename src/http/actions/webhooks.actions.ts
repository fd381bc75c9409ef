import { formatDmsTime, formatOptionalDmsTime } from '../../lib/time.js';
import {
  createWebhook,
  deleteWebhook,
  EVENT_TYPES,
  listWebhookDeliveries,
  listWebhooks,
  testWebhook,
  updateWebhook,
  type WebhookView,
} from '../../modules/webhooks/webhooks.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Webhooks';

const presentWebhook = (w: WebhookView, tz: string) => ({
  WebhookId: w.id,
  Url: w.url,
  Events: { Event: w.events },
  Enabled: w.enabled,
  CreatorId: w.createdBy,
  CreateTime: formatDmsTime(w.createdAt, tz),
  ModifyTime: formatDmsTime(w.modifiedAt, tz),
});

const WEBHOOK_FIELDS = '{WebhookId, Url, Events.Event[] (empty: every event), Enabled, CreatorId, CreateTime, ModifyTime}';

const VERIFY = `Every event is POSTed as JSON ({EventId, EventType, OrderId, PluginType, Tid, Operator{UserId, NickName}, RealLoginUser?, FromStatus, ToStatus, Comment, OccurredAt (ISO 8601), OperateTime (yyyy-MM-dd HH:mm:ss), Recipients{Committer, RelatedUsers[], CurrentHandlers[]}}) with the headers X-OpenDMS-Event-Id, X-OpenDMS-Event-Type, X-OpenDMS-Delivery-Id, X-OpenDMS-Timestamp (Unix seconds) and X-OpenDMS-Signature = "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + raw body)). A receiver recomputes the HMAC over the raw body bytes, compares in constant time, rejects timestamps more than 5 minutes off, and de-duplicates by X-OpenDMS-Event-Id (delivery is at least once). Any 2xx answer within 10 s is success; anything else is retried with exponential backoff. See docs/webhooks.md.`;

const eventsParam = (what: string) =>
  p.list(`${what} Event types to send (comma-separated or a JSON array; \`[]\` = every event): ${EVENT_TYPES.join(', ')}.`).maxLen(EVENT_TYPES.length);

/** Per-tenant webhooks on ticket events; DMS configures notifications only in its console. */
export const webhookActions = [
  defineAction({
    name: 'CreateWebhook',
    group: GROUP,
    extension: true,
    summary: `Registers a URL that receives the tenant's ticket events, signed with a secret (ADMIN only). The secret is returned only by this call (and by UpdateWebhook with RegenerateSecret). ${VERIFY}`,
    coverage: 'http and https URLs; loopback, private and link-local targets are refused unless listed in OPENDMS_WEBHOOK_ALLOWED_HOSTS. At most 10 webhooks per tenant.',
    params: {
      Url: p.string('http(s) URL events are POSTed to. No credentials in the URL; redirects are not followed.').req().maxLen(2048),
      Secret: p.string('Signing secret, 16-256 characters; default: a generated one, returned once.').maxLen(256).inBody(),
      Events: eventsParam('Default: every event.'),
    },
    response: `\`Webhook${WEBHOOK_FIELDS}\`, \`Secret\` (string; shown only here)`,
    handler: async (input, ctx) => {
      const { webhook, secret } = await createWebhook(ctx.deps, ctx.actor, { url: input.Url, secret: input.Secret, events: input.Events });
      return { Webhook: presentWebhook(webhook, ctx.deps.config.timezone), Secret: secret };
    },
  }),
  defineAction({
    name: 'ListWebhooks',
    group: GROUP,
    extension: true,
    summary: "The tenant's webhooks (ADMIN only; never their secrets).",
    params: {},
    response: `\`Webhooks.Webhook[]${WEBHOOK_FIELDS}\``,
    handler: async (_in, ctx) => ({
      Webhooks: { Webhook: (await listWebhooks(ctx.deps, ctx.actor)).map((w) => presentWebhook(w, ctx.deps.config.timezone)) },
    }),
  }),
  defineAction({
    name: 'UpdateWebhook',
    group: GROUP,
    extension: true,
    summary:
      'Changes a webhook\'s URL, event filter, enabled state or secret (ADMIN only); absent parameters stay as they are. Disabling stops new deliveries and ends pending ones as FAIL. A new secret signs every attempt from now on, including retries of earlier events.',
    params: {
      WebhookId: p.long('The webhook.').req(),
      Url: p.string('New http(s) URL.').maxLen(2048),
      Events: eventsParam('New filter.'),
      Enabled: p.boolean('false: no deliveries until enabled again (events meanwhile are not sent later).'),
      Secret: p.string('New signing secret, 16-256 characters.').maxLen(256).inBody(),
      RegenerateSecret: p.boolean('true: generate a new secret and return it (once) as `Secret`.'),
    },
    response: `\`Webhook${WEBHOOK_FIELDS}\`, \`Secret\` (only with RegenerateSecret=true)`,
    handler: async (input, ctx) => {
      const { webhook, secret } = await updateWebhook(ctx.deps, ctx.actor, input.WebhookId, {
        url: input.Url,
        events: input.Events,
        enabled: input.Enabled,
        secret: input.Secret,
        regenerateSecret: input.RegenerateSecret,
      });
      return { Webhook: presentWebhook(webhook, ctx.deps.config.timezone), Secret: secret };
    },
  }),
  defineAction({
    name: 'DeleteWebhook',
    group: GROUP,
    extension: true,
    summary: 'Deletes a webhook and its delivery log (ADMIN only); attempts still queued are dropped.',
    params: { WebhookId: p.long('The webhook.').req() },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await deleteWebhook(ctx.deps, ctx.actor, input.WebhookId);
      return {};
    },
  }),
  defineAction({
    name: 'ListWebhookDeliveries',
    group: GROUP,
    extension: true,
    summary:
      "A webhook's delivery log, newest first (ADMIN only): one delivery per ticket event, PENDING while attempts remain, then SUCCESS (a 2xx answer) or FAIL (every attempt failed, the target was refused, or the webhook was disabled).",
    params: {
      WebhookId: p.long('The webhook.').req(),
      Status: p.enum(['PENDING', 'SUCCESS', 'FAIL'] as const, 'Only deliveries in this status.', true),
      PageNumber: p.integer('1-based page.').range(1, undefined).default(1),
      PageSize: p.integer('Rows per page (1-100).').range(1, 100).default(20),
    },
    response:
      '`TotalCount`, `Deliveries.Delivery[]{DeliveryId, EventId, EventType, OrderId, Status, Attempts, MaxAttempts, LastHttpStatus, LastError, CreateTime, LastAttemptTime, NextAttemptTime, FinishTime}`',
    handler: async (input, ctx) => {
      const tz = ctx.deps.config.timezone;
      const { items, total } = await listWebhookDeliveries(ctx.deps, ctx.actor, input.WebhookId, { status: input.Status }, { number: input.PageNumber, size: input.PageSize });
      return {
        TotalCount: total,
        Deliveries: {
          Delivery: items.map((d) => ({
            DeliveryId: d.id,
            EventId: d.eventId,
            EventType: d.eventType,
            OrderId: d.orderId,
            Status: d.status,
            Attempts: d.attempts,
            MaxAttempts: d.maxAttempts,
            LastHttpStatus: d.lastHttpStatus ?? undefined,
            LastError: d.lastError ?? undefined,
            CreateTime: formatDmsTime(d.createdAt, tz),
            LastAttemptTime: formatOptionalDmsTime(d.lastAttemptAt, tz),
            NextAttemptTime: formatOptionalDmsTime(d.nextAttemptAt, tz),
            FinishTime: formatOptionalDmsTime(d.finishedAt, tz),
          })),
        },
      };
    },
  }),
  defineAction({
    name: 'TestWebhook',
    group: GROUP,
    extension: true,
    summary: 'Sends a signed PING event (EventId 0, EventType PING) to a webhook now and reports the answer (ADMIN only); nothing is logged or retried.',
    params: { WebhookId: p.long('The webhook.').req() },
    response: '`Result{Delivered (2xx), HttpStatus, Error, DurationMs}`',
    handler: async (input, ctx) => {
      const r = await testWebhook(ctx.deps, ctx.actor, input.WebhookId);
      return { Result: { Delivered: r.ok, HttpStatus: r.httpStatus ?? undefined, Error: r.error ?? undefined, DurationMs: r.durationMs } };
    },
  }),
];
