import { activeTenant, createTenant, setSystemAdmin, tenantsOf } from '../../modules/identity/tenants.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Tenants';

const presentTenant = (t: { tenantId: number; name: string; status: string }) => ({ Tid: t.tenantId, TenantName: t.name, Status: t.status });

export const tenantActions = [
  defineAction({
    name: 'GetUserActiveTenant',
    group: GROUP,
    summary: 'The tenant the call runs in (the one selected by Tid, or the caller\'s active tenant).',
    params: {},
    response: '`Tenant{Tid, TenantName, Status}`',
    handler: async (_in, ctx) => ({ Tenant: presentTenant(await activeTenant(ctx.deps, ctx.actor)) }),
  }),
  defineAction({
    name: 'ListUserTenants',
    group: GROUP,
    summary: 'All tenants the caller belongs to; the one the call runs in is ACTIVE, the others IN_ACTIVE.',
    params: {},
    response: '`TenantList[]{Tid, TenantName, Status}` (a bare array)',
    handler: async (_in, ctx) => ({ TenantList: (await tenantsOf(ctx.deps, ctx.actor)).map(presentTenant) }),
  }),
  defineAction({
    name: 'CreateTenant',
    group: GROUP,
    extension: true,
    summary: 'Creates a tenant; the caller (a system administrator of the deployment) becomes its ADMIN.',
    params: { TenantName: p.string('Name of the new tenant.').req().maxLen(128) },
    response: '`Tid` (long)',
    handler: async (input, ctx) => ({ Tid: await createTenant(ctx.deps, ctx.actor, input.TenantName) }),
  }),
  defineAction({
    name: 'SetSystemAdmin',
    group: GROUP,
    extension: true,
    summary: 'Grants or revokes the deployment-wide right to create tenants (system administrators only).',
    params: {
      UserId: p.long('DMS user ID of a member of the tenant.').req(),
      Enabled: p.boolean('true grants, false revokes.').req(),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await setSystemAdmin(ctx.deps, ctx.actor, input.UserId, input.Enabled);
      return {};
    },
  }),
];
