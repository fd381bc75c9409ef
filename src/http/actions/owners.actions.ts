import { OWNER_TYPES } from '../../modules/instances/instance.model.js';
import { listUserOwnedResources, setOwners } from '../../modules/instances/owners.js';
import { presentOwnedResource } from '../presenters/database.presenter.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';
import { dbTypeParam, envTypeParam, pageParams, parseId, parseIds } from './instance-params.js';

const GROUP = 'Permissions and owners';

export const ownerActions = [
  defineAction({
    name: 'SetOwners',
    group: GROUP,
    summary: 'Replaces the owners of an instance, database, logical database or table; owners (with the DBA) receive its tickets. ADMIN or DBA.',
    coverage: 'LOGIC_TABLE is refused with NotSupported (OpenDMS has no logical tables).',
    params: {
      ResourceId: p.string('Id of the instance, database, logical database or table.').req(),
      OwnerType: p.enum([...OWNER_TYPES, 'LOGIC_TABLE'] as const, 'Kind of resource.', true).req(),
      OwnerIds: p.list('DMS user ids of the owners, comma-separated; members of the tenant.').req().maxLen(100),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await setOwners(ctx.deps, ctx.actor, {
        type: input.OwnerType,
        resourceId: parseId('ResourceId', input.ResourceId),
        ownerUserIds: parseIds('OwnerIds', input.OwnerIds),
      });
      return {};
    },
  }),
  defineAction({
    name: 'ListUserOwnedResources',
    group: GROUP,
    summary: 'The resources of one type a user owns. One\'s own: anyone; another user\'s: ADMIN or DBA.',
    params: {
      UserId: p.string('DMS user id.').req(),
      OwnerType: p.enum(OWNER_TYPES, 'Kind of resource (DATABASE with Logic=true means LOGIC_DATABASE).', true).req(),
      DatabaseName: p.string('Keyword matched against the database (schema) name.').maxLen(256),
      DbType: dbTypeParam,
      EnvType: envTypeParam('Only resources of this environment.'),
      Logic: p.boolean('true: logical databases.'),
      ...pageParams,
    },
    response: '`Data.resourceList[]`, `TotalCount`',
    handler: async (input, ctx) => {
      const { resources, total } = await listUserOwnedResources(
        ctx.deps,
        ctx.actor,
        {
          userId: parseId('UserId', input.UserId),
          type: input.OwnerType,
          logic: input.Logic,
          databaseName: input.DatabaseName,
          dbType: input.DbType,
          envType: input.EnvType,
        },
        { number: input.PageNumber, size: input.PageSize },
      );
      return { Data: { resourceList: resources.map(presentOwnedResource) }, TotalCount: total };
    },
  }),
];
