import type { IndexInfo } from '../../connectors/index.js';
import type { FoundDatabase } from '../../modules/instances/databases.js';
import { logicSearchNameOf, searchNameOf, type LogicDatabase, type PhysicalDatabase } from '../../modules/instances/instance.model.js';
import type { ColumnView, TableView } from '../../modules/instances/metadata.js';
import type { OwnedResource } from '../../modules/instances/owners.js';
import { presentOwners } from './instance.presenter.js';

/** DMS wire shapes for databases, logical databases, tables, columns and owned resources. */

/** ListDatabases `Database` (no InstanceAlias); GetDatabase / GetPhysicalDatabase add `InstanceAlias`. */
export function presentDatabase(d: PhysicalDatabase, withInstanceAlias: boolean): Record<string, unknown> {
  return {
    CatalogName: d.catalogName,
    DatabaseId: String(d.dbId),
    DbType: d.engine,
    DbaId: String(d.dba.userId),
    DbaName: d.dba.nickName,
    Encoding: d.encoding,
    EnvType: d.envType,
    Host: d.host,
    InstanceAlias: withInstanceAlias ? d.instanceAlias : undefined,
    InstanceId: String(d.instanceId),
    ...presentOwners(d.owners),
    Port: d.port,
    SchemaName: d.schemaName,
    SearchName: searchNameOf(d),
    Sid: d.sid ?? undefined,
    State: d.state,
  };
}

/** SearchDatabase `SearchDatabase`: a physical or a logical database. */
export function presentSearchDatabase(d: FoundDatabase): Record<string, unknown> {
  if (d.logic) {
    return {
      Alias: d.alias,
      DatabaseId: String(d.logicDbId),
      DbType: d.engine ?? undefined,
      EnvType: d.envType ?? undefined,
      Logic: true,
      ...presentOwners(d.owners),
      SchemaName: d.schemaName,
      SearchName: logicSearchNameOf(d),
    };
  }
  return {
    Alias: d.instanceAlias,
    CatalogName: d.catalogName,
    DatabaseId: String(d.dbId),
    DatalinkName: d.dataLinkName ?? undefined,
    DbType: d.engine,
    DbaId: String(d.dba.userId),
    Encoding: d.encoding,
    EnvType: d.envType,
    Host: d.host,
    Logic: false,
    ...presentOwners(d.owners),
    Port: d.port,
    SchemaName: d.schemaName,
    SearchName: searchNameOf(d),
    Sid: d.sid ?? undefined,
  };
}

/** ListLogicDatabases `LogicDatabase` and GetLogicDatabase `LogicDatabase`. */
export function presentLogicDatabase(l: LogicDatabase): Record<string, unknown> {
  return {
    Alias: l.alias,
    DatabaseId: String(l.logicDbId),
    DatabaseIds: { DatabaseIds: [...l.memberDbIds] },
    DbType: l.engine ?? undefined,
    EnvType: l.envType ?? undefined,
    Logic: true,
    ...presentOwners(l.owners),
    SchemaName: l.schemaName,
    SearchName: logicSearchNameOf(l),
  };
}

const BYTES_PER_MB = 1024 * 1024;

/** ListTables `Table`. StoreCapacity is in MB (statistics, like NumRows). */
export function presentTable(t: TableView, returnGuid: boolean): Record<string, unknown> {
  return {
    DatabaseId: String(t.dbId),
    Description: t.comment,
    Encoding: t.encoding ?? undefined,
    Engine: t.engine ?? undefined,
    NumRows: t.estimatedRows ?? undefined,
    ...presentOwners(t.owners),
    StoreCapacity: t.sizeBytes === null ? undefined : Math.ceil(t.sizeBytes / BYTES_PER_MB),
    TableGuid: returnGuid ? `IDB_${t.dbId}.${t.schema}.${t.name}` : undefined,
    TableId: String(t.tableId),
    TableName: t.name,
    TableSchemaName: t.schema,
    TableType: t.type === 'VIEW' ? 'VIEW' : 'NORMAL',
  };
}

/** ListColumns `Column`. Sensitivity and masking are not tracked: every column is INNER, unmasked. */
export function presentColumn(c: ColumnView): Record<string, unknown> {
  return {
    AutoIncrement: c.autoIncrement,
    ColumnId: String(c.columnId),
    ColumnName: c.name,
    ColumnType: c.dataType,
    DataLength: c.maxLength ?? undefined,
    DataPrecision: c.precision ?? undefined,
    DataScale: c.scale ?? undefined,
    DefaultValue: c.defaultValue ?? undefined,
    Description: c.comment,
    FunctionType: undefined,
    Nullable: c.nullable,
    SecurityLevel: 'INNER',
    Sensitive: false,
  };
}

/** ListIndexes `IndexType`: the DMS values Primary, Unique, Normal, FullText, Spatial. */
function indexTypeOf(ix: IndexInfo): string {
  if (ix.primary) return 'Primary';
  if (ix.method === 'fulltext') return 'FullText';
  if (ix.method === 'spatial') return 'Spatial';
  return ix.unique ? 'Unique' : 'Normal';
}

/**
 * ListIndexes `Index`. IndexId is `<TableId>.<IndexName>`: no Action takes it as input, so it needs no
 * stored id, and it stays the same while the index keeps its name. Unique and IndexColumns are
 * OpenDMS additions, spelled as DMS spells them in GetMetaTableDetailInfo's IndexList.
 */
export function presentIndex(tableId: number, ix: IndexInfo): Record<string, unknown> {
  return {
    IndexColumns: ix.columns,
    IndexComment: '',
    IndexId: `${tableId}.${ix.name}`,
    IndexName: ix.name,
    IndexType: indexTypeOf(ix),
    TableId: String(tableId),
    Unique: ix.unique,
  };
}

/** ListUserOwnedResources `Data.resourceList[]` (the SDK spells that key in lower camel case). */
export function presentOwnedResource(r: OwnedResource): Record<string, unknown> {
  const physical = r.host !== null && r.port !== null && r.engine !== null && r.schemaName !== null && r.alias !== null;
  return {
    Alias: r.alias ?? undefined,
    DbId: r.dbId === null ? undefined : String(r.dbId),
    DbInstanceId: r.instanceId === null ? undefined : String(r.instanceId),
    DbType: r.engine ?? undefined,
    EnvType: r.envType ?? undefined,
    Host: r.host ?? undefined,
    InstanceId: r.instanceId === null ? undefined : String(r.instanceId),
    Logic: r.logic,
    Port: r.port ?? undefined,
    SchemaName: r.schemaName ?? undefined,
    SearchName: r.logic
      ? logicSearchNameOf({ schemaName: r.schemaName ?? '', alias: r.alias ?? '' })
      : physical && r.type !== 'INSTANCE'
        ? searchNameOf({ schemaName: r.schemaName!, host: r.host!, port: r.port!, engine: r.engine!, instanceAlias: r.alias! })
        : undefined,
    TableId: r.tableId === null ? undefined : String(r.tableId),
    TableName: r.tableName ?? undefined,
  };
}
