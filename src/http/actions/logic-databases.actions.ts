import {
  createLogicDatabase,
  deleteLogicDatabase,
  editLogicDatabase,
  getLogicDatabase,
  listLogicDatabases,
} from '../../modules/instances/logic-databases.js';
import { presentLogicDatabase } from '../presenters/database.presenter.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';
import { pageParams, parseId, parseIds } from './instance-params.js';

const GROUP = 'Instances, databases, tables';

const databaseIdsParam = p.list('Physical database ids: a JSON array text such as [1,2] (also a comma list). Same engine and environment.').req().maxLen(1000);

export const logicDatabaseActions = [
  defineAction({
    name: 'CreateLogicDatabase',
    group: GROUP,
    summary: 'Groups physical databases of the same schema into a logical database. ADMIN or DBA.',
    params: {
      Alias: p.string('Name of the logical database (unique in the tenant).').req().maxLen(128),
      DatabaseIds: databaseIdsParam,
    },
    response: '`LogicDbId` (long)',
    handler: async (input, ctx) => ({
      LogicDbId: await createLogicDatabase(ctx.deps, ctx.actor, { alias: input.Alias, dbIds: parseIds('DatabaseIds', input.DatabaseIds) }),
    }),
  }),
  defineAction({
    name: 'EditLogicDatabase',
    group: GROUP,
    summary: 'Changes the alias and the member databases of a logical database. ADMIN or DBA.',
    params: {
      Alias: p.string('Name of the logical database.').req().maxLen(128),
      DatabaseIds: databaseIdsParam,
      LogicDbId: p.long('Id of the logical database.').req(),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await editLogicDatabase(ctx.deps, ctx.actor, input.LogicDbId, { alias: input.Alias, dbIds: parseIds('DatabaseIds', input.DatabaseIds) });
      return {};
    },
  }),
  defineAction({
    name: 'DeleteLogicDatabase',
    group: GROUP,
    summary: 'Deletes a logical database; its physical databases stay. ADMIN or DBA.',
    params: { LogicDbId: p.long('Id of the logical database.').req() },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await deleteLogicDatabase(ctx.deps, ctx.actor, input.LogicDbId);
      return {};
    },
  }),
  defineAction({
    name: 'ListLogicDatabases',
    group: GROUP,
    summary: 'Paged list of the tenant\'s logical databases.',
    params: { ...pageParams },
    response: '`LogicDatabaseList.LogicDatabase[]`, `TotalCount`',
    handler: async (input, ctx) => {
      const { logicDatabases, total } = await listLogicDatabases(ctx.deps, ctx.actor, { number: input.PageNumber, size: input.PageSize });
      return { LogicDatabaseList: { LogicDatabase: logicDatabases.map(presentLogicDatabase) }, TotalCount: total };
    },
  }),
  defineAction({
    name: 'GetLogicDatabase',
    group: GROUP,
    summary: 'One logical database by its id.',
    params: { DbId: p.string('Id of the logical database.').req() },
    response: '`LogicDatabase`',
    handler: async (input, ctx) => ({ LogicDatabase: presentLogicDatabase(await getLogicDatabase(ctx.deps, ctx.actor, parseId('DbId', input.DbId))) }),
  }),
];
