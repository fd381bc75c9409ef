import { formatDmsTime, formatOptionalDmsTime } from '../../lib/time.js';
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKeyStatus, type AccessKeyView } from '../../modules/identity/access-keys.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'AccessKeys';

const presentKey = (k: AccessKeyView, tz: string) => ({
  AccessKeyId: k.accessKeyId,
  UserId: String(k.userId),
  Status: k.status,
  CreateDate: formatDmsTime(k.createdAt, tz),
  LastUsedDate: formatOptionalDmsTime(k.lastUsedAt, tz),
});

const userIdParam = p.long('DMS user ID whose keys are managed; default the caller. Another user\'s keys need ADMIN.');

/** Modeled on Alibaba RAM's AccessKey Actions; DMS itself has none. */
export const accessKeyActions = [
  defineAction({
    name: 'CreateAccessKey',
    group: GROUP,
    extension: true,
    summary:
      "Creates an AccessKey pair. The secret is returned only by this call. One's own keys: anyone; another member's (this and the other AccessKey Actions): an ADMIN, and only for someone whose every tenant they administer too and who is no deployment administrator.",
    params: { UserId: userIdParam },
    response: '`AccessKey{AccessKeyId, AccessKeySecret, Status, CreateDate}`',
    handler: async (input, ctx) => {
      const k = await createAccessKey(ctx.deps, ctx.actor, input.UserId);
      return {
        AccessKey: { AccessKeyId: k.accessKeyId, AccessKeySecret: k.accessKeySecret, Status: k.status, CreateDate: formatDmsTime(k.createdAt, ctx.deps.config.timezone) },
      };
    },
  }),
  defineAction({
    name: 'ListAccessKeys',
    group: GROUP,
    extension: true,
    summary: 'Lists a user\'s AccessKeys (never their secrets).',
    params: { UserId: userIdParam },
    response: '`AccessKeys.AccessKey[]{AccessKeyId, UserId, Status, CreateDate, LastUsedDate}`',
    handler: async (input, ctx) => ({
      AccessKeys: { AccessKey: (await listAccessKeys(ctx.deps, ctx.actor, input.UserId)).map((k) => presentKey(k, ctx.deps.config.timezone)) },
    }),
  }),
  defineAction({
    name: 'UpdateAccessKey',
    group: GROUP,
    extension: true,
    summary: 'Activates or deactivates an AccessKey; an inactive key cannot sign any call.',
    params: {
      UserAccessKeyId: p.string('The AccessKey to change.').req(),
      Status: p.enum(['Active', 'Inactive'] as const, 'New status.', true).req(),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await updateAccessKeyStatus(ctx.deps, ctx.actor, input.UserAccessKeyId, input.Status);
      return {};
    },
  }),
  defineAction({
    name: 'DeleteAccessKey',
    group: GROUP,
    extension: true,
    summary: 'Deletes an AccessKey (not the one signing this call).',
    params: { UserAccessKeyId: p.string('The AccessKey to delete.').req() },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await deleteAccessKey(ctx.deps, ctx.actor, input.UserAccessKeyId, ctx.accessKeyId);
      return {};
    },
  }),
];
