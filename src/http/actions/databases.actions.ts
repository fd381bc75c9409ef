import { AppError } from '../../errors.js';
import { getDatabaseByAddress, getPhysicalDatabase, listDatabases, searchDatabases } from '../../modules/instances/databases.js';
import { listColumns, listIndexes, listTables } from '../../modules/instances/metadata.js';
import { presentColumn, presentDatabase, presentIndex, presentSearchDatabase, presentTable } from '../presenters/database.presenter.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';
import { dbTypeParam, envTypeParam, pageParams, parseId } from './instance-params.js';

const GROUP = 'Instances, databases, tables';

const SEARCH_RANGES = ['HAS_PERMSSION', 'OWNER', 'MY_FOCUS', 'UNKNOWN'] as const;
const SEARCH_TARGETS = ['DB', 'SINGLE_DB', 'LOGIC_DB'] as const;

export const databaseActions = [
  defineAction({
    name: 'ListDatabases',
    group: GROUP,
    summary: 'Paged list of the databases discovered on one instance (any member of the tenant).',
    params: {
      InstanceId: p.string('DMS instance id.').req(),
      SearchKey: p.string('Keyword matched against the schema name.').maxLen(256),
      ...pageParams,
    },
    response: '`DatabaseList.Database[]`, `TotalCount`',
    handler: async (input, ctx) => {
      const { databases, total } = await listDatabases(ctx.deps, ctx.actor, parseId('InstanceId', input.InstanceId), input.SearchKey, {
        number: input.PageNumber,
        size: input.PageSize,
      });
      return { DatabaseList: { Database: databases.map((d) => presentDatabase(d, false)) }, TotalCount: total };
    },
  }),
  defineAction({
    name: 'SearchDatabase',
    group: GROUP,
    summary: 'Keyword search over the tenant\'s physical and/or logical databases (physical first).',
    coverage:
      'SearchRange OWNER: databases the caller owns; MY_FOCUS: none (OpenDMS keeps no focus list); HAS_PERMSSION and UNKNOWN: all of the tenant, which every member may read.',
    acceptsRealLoginUser: true,
    params: {
      DbType: dbTypeParam,
      EnvType: envTypeParam('Only databases of this environment.'),
      SearchKey: p.string('Keyword matched against schema name, alias and host.').maxLen(256),
      SearchRange: p.enum(SEARCH_RANGES, 'Which databases: HAS_PERMSSION (sic), OWNER, MY_FOCUS, UNKNOWN.', true),
      SearchTarget: p.enum(SEARCH_TARGETS, 'DB (both, default), SINGLE_DB (physical), LOGIC_DB (logical).', true),
      ...pageParams,
    },
    response: '`SearchDatabaseList.SearchDatabase[]`, `TotalCount`',
    handler: async (input, ctx) => {
      const { databases, total } = await searchDatabases(
        ctx.deps,
        ctx.actor,
        { search: input.SearchKey, dbType: input.DbType, envType: input.EnvType, range: input.SearchRange, target: input.SearchTarget },
        { number: input.PageNumber, size: input.PageSize },
      );
      return { SearchDatabaseList: { SearchDatabase: databases.map(presentSearchDatabase) }, TotalCount: total };
    },
  }),
  defineAction({
    name: 'GetDatabase',
    group: GROUP,
    summary: 'One physical database by instance Host + Port (+ Sid) and SchemaName; a sqlite instance by Host alone.',
    acceptsRealLoginUser: true,
    params: {
      Host: p.string('Connection host (for sqlite the file path).').req().maxLen(1024),
      Port: p.integer('Connection port; may be omitted for a sqlite instance.').range(0, 65535),
      SchemaName: p.string('Database (schema) name; `main` for sqlite.').req().maxLen(256),
      Sid: p.string('Oracle SID.').maxLen(128),
    },
    response: '`Database`',
    handler: async (input, ctx) => ({
      Database: presentDatabase(
        await getDatabaseByAddress(ctx.deps, ctx.actor, { host: input.Host, port: input.Port, sid: input.Sid, schemaName: input.SchemaName }),
        true,
      ),
    }),
  }),
  defineAction({
    name: 'GetPhysicalDatabase',
    group: GROUP,
    summary: 'One physical database by DbId.',
    params: { DbId: p.long('DMS database id.').req() },
    response: '`Database`',
    handler: async (input, ctx) => ({ Database: presentDatabase(await getPhysicalDatabase(ctx.deps, ctx.actor, input.DbId), true) }),
  }),
  defineAction({
    name: 'ListTables',
    group: GROUP,
    summary: 'Paged tables and views of a physical database, read live from the instance; each gets a stable TableId.',
    coverage: 'SearchName filters by table name. NumRows and StoreCapacity (MB) are the engine\'s statistics; TableType is NORMAL or VIEW.',
    acceptsRealLoginUser: true,
    params: {
      DatabaseId: p.string('DMS database id (physical).').req(),
      ReturnGuid: p.boolean('true: also return TableGuid (IDB_<dbId>.<schema>.<table>).'),
      SearchName: p.string('Keyword matched against table names.').maxLen(256),
      ...pageParams,
    },
    response: '`TableList.Table[]`, `TotalCount`',
    handler: async (input, ctx) => {
      const { tables, total } = await listTables(ctx.deps, ctx.actor, parseId('DatabaseId', input.DatabaseId), { search: input.SearchName }, {
        number: input.PageNumber,
        size: input.PageSize,
      });
      return { TableList: { Table: tables.map((t) => presentTable(t, input.ReturnGuid ?? false)) }, TotalCount: total };
    },
  }),
  defineAction({
    name: 'ListColumns',
    group: GROUP,
    summary: 'Columns of a table (by the TableId from ListTables), read live from the instance; each gets a stable ColumnId.',
    coverage: 'Logical tables (Logic=true) are not supported. Sensitivity and masking are not tracked: SecurityLevel INNER, Sensitive false.',
    params: {
      TableId: p.string('DMS table id.').req(),
      Logic: p.boolean('true: a logical table (not supported).'),
    },
    response: '`ColumnList.Column[]`',
    handler: async (input, ctx) => {
      if (input.Logic) throw new AppError('NotSupported', 'OpenDMS has no logical tables; use the TableId of a physical table.');
      const columns = await listColumns(ctx.deps, ctx.actor, parseId('TableId', input.TableId));
      return { ColumnList: { Column: columns.map(presentColumn) } };
    },
  }),
  defineAction({
    name: 'ListIndexes',
    group: GROUP,
    summary: 'Indexes of a table (by the TableId from ListTables), primary key included, ordered by name, read live from the instance.',
    coverage:
      'The reference lists ListIndexes without detail; the fields follow the DMS SDK (dms-enterprise 2018-11-01 ListIndexesResponseBody): IndexId, IndexName, IndexType (Primary, Unique, Normal, FullText, Spatial), IndexComment, TableId. IndexComment is always empty (the connectors do not read index comments). IndexId is `<TableId>.<IndexName>`. OpenDMS additions, as DMS spells them in GetMetaTableDetailInfo: Unique (bool) and IndexColumns (key columns in index order; an expression part as its SQL text in parentheses). SQLite: an `INTEGER PRIMARY KEY` is the rowid and shows as index PRIMARY; implicit unique indexes are `sqlite_autoindex_…`. Logical tables (Logic=true) are not supported. Any member of the tenant, as ListColumns.',
    params: {
      TableId: p.string('DMS table id.').req(),
      Logic: p.boolean('true: a logical table (not supported).'),
    },
    response: '`IndexList.Index[]{IndexId, IndexName, IndexType, IndexComment, TableId, Unique, IndexColumns[]}`',
    handler: async (input, ctx) => {
      if (input.Logic) throw new AppError('NotSupported', 'OpenDMS has no logical tables; use the TableId of a physical table.');
      const tableId = parseId('TableId', input.TableId);
      const indexes = await listIndexes(ctx.deps, ctx.actor, tableId);
      return { IndexList: { Index: indexes.map((ix) => presentIndex(tableId, ix)) } };
    },
  }),
];
