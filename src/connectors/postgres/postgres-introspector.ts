/**
 * PostgreSQL metadata from pg_catalog (information_schema hides objects the login cannot use and
 * has no comments or row estimates). Numbers are cast to int/float8 in SQL so the result does not
 * depend on the process-wide pg type parsers.
 */
import type { ColumnInfo, DatabaseInfo, IndexInfo, TableInfo } from '../connector.js';
import type { TableKeys } from '../write-session.js';
import { normalizeDefault } from '../sql-literal.js';
import { expressionPart } from '../sql-text.js';

/** Runs one parameterized statement and returns its rows. */
export type PgRun = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Databases a login can actually use: no templates, no `datallowconn = false`, CONNECT granted. */
export async function listPgDatabases(run: PgRun): Promise<DatabaseInfo[]> {
  const rows = await run(
    `select datname as name, pg_encoding_to_char(encoding) as encoding
       from pg_database
      where datallowconn and not datistemplate and has_database_privilege(oid, 'CONNECT')
      order by datname`,
  );
  return rows.map((r) => ({ name: String(r.name), encoding: String(r.encoding) }));
}

/**
 * Sizes come from relpages (table, TOAST and indexes; kept by VACUUM/ANALYZE) rather than
 * pg_total_relation_size, which takes a lock and would wait behind a running ALTER TABLE.
 *
 * Relation kinds listed: r table, p partitioned table, f foreign table, v view, m materialized view.
 * Partitions are left out (their parent is listed). Schemas named `pg_*` are the system's own.
 */
const VIEW_KINDS = ['v', 'm'];

export async function listPgTables(run: PgRun): Promise<TableInfo[]> {
  const rows = await run(
    `select n.nspname as schema, c.relname as name, c.relkind as relkind,
            coalesce(obj_description(c.oid, 'pg_class'), '') as comment,
            case when c.reltuples >= 0 then c.reltuples::float8 end as estimated_rows,
            (select sum(r.relpages)::float8 * current_setting('block_size')::float8 from pg_class r
              where r.oid = c.oid or r.oid = c.reltoastrelid
                 or r.oid in (select indexrelid from pg_index where indrelid = c.oid)) as size_bytes,
            (select pg_encoding_to_char(encoding) from pg_database where datname = current_database()) as encoding
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'f', 'v', 'm') and not c.relispartition
        and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
      order by n.nspname, c.relname`,
  );
  return rows.map((r) => {
    const isView = VIEW_KINDS.includes(String(r.relkind));
    return {
      schema: String(r.schema),
      name: String(r.name),
      type: isView ? 'VIEW' : 'TABLE',
      engine: null,
      comment: String(r.comment),
      estimatedRows: isView ? null : (r.estimated_rows as number | null),
      sizeBytes: isView ? null : (r.size_bytes as number | null),
      encoding: isView ? null : String(r.encoding),
    };
  });
}

/**
 * Defaults are deparsed with relation 0: a default cannot refer to columns, and naming the relation
 * would make pg_get_expr lock it, waiting behind a running ALTER TABLE. (Generated columns, whose
 * expressions do refer to columns, are not defaults and are skipped.)
 *
 * Lengths, precision and scale come from the helper functions behind information_schema.columns
 * (stable since 7.4), so they match what that view reports, domains included.
 */
export async function listPgColumns(run: PgRun, schema: string, table: string): Promise<ColumnInfo[]> {
  const rows = await run(
    `select a.attname as name,
            format_type(a.atttypid, a.atttypmod) as data_type,
            not a.attnotnull as nullable,
            case when a.attgenerated = '' then pg_get_expr(d.adbin, 0) end as default_value,
            a.attidentity <> '' as is_identity,
            coalesce(col_description(c.oid, a.attnum), '') as comment,
            coalesce(a.attnum = any(pk.indkey), false) as primary_key,
            information_schema._pg_char_max_length(information_schema._pg_truetypid(a.*, t.*),
              information_schema._pg_truetypmod(a.*, t.*)) as max_length,
            information_schema._pg_numeric_precision(information_schema._pg_truetypid(a.*, t.*),
              information_schema._pg_truetypmod(a.*, t.*)) as num_precision,
            information_schema._pg_numeric_scale(information_schema._pg_truetypid(a.*, t.*),
              information_schema._pg_truetypmod(a.*, t.*)) as num_scale
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       left join pg_index pk on pk.indrelid = c.oid and pk.indisprimary
      where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'f', 'v', 'm')
        and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [schema, table],
  );
  return rows.map((r, i) => {
    const rawDefault = r.default_value === null ? null : String(r.default_value);
    return {
      name: String(r.name),
      position: i + 1,
      dataType: String(r.data_type),
      nullable: r.nullable === true,
      defaultValue: normalizeDefault(rawDefault),
      comment: String(r.comment),
      primaryKey: r.primary_key === true,
      autoIncrement: r.is_identity === true || (rawDefault?.startsWith('nextval(') ?? false),
      maxLength: r.max_length as number | null,
      precision: r.num_precision as number | null,
      scale: r.num_scale as number | null,
    };
  });
}

/** Relation kinds a table name can resolve to; views ('v', 'm') resolve too, to answer null. */
const KEYED_KINDS = ['r', 'p', 'f'];

/**
 * The relation `table` of `schema`. `schema` null: the first schema of the session's search_path
 * (current_schemas(false), as the parser resolves an unqualified name) holding a relation of that
 * name. Names compare exactly (they arrive folded). Views resolve too (a view hides a table of the
 * same name further down the search_path); the caller decides what they give.
 */
async function findPgRelation(run: PgRun, schema: string | null, table: string): Promise<{ oid: string; schema: string; name: string; relkind: string } | undefined> {
  const [rel] = await run(
    `select c.oid::int8::text as oid, n.nspname as schema, c.relname as name, c.relkind as relkind
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       left join unnest(current_schemas(false)) with ordinality p(nspname, ord) on p.nspname = n.nspname
      where c.relname = $2 and c.relkind in ('r', 'p', 'f', 'v', 'm')
        and (n.nspname = $1 or ($1 is null and p.ord is not null))
      order by p.ord
      limit 1`,
    [schema, table],
  );
  return rel && { oid: String(rel.oid), schema: String(rel.schema), name: String(rel.name), relkind: String(rel.relkind) };
}

/**
 * Columns, primary key and NOT NULL unique keys of a table (TableKeys); null for a view or a
 * missing table (resolved as findPgRelation does).
 *
 * Unique keys: unique indexes (unique constraints have one) that are valid, not partial, without
 * expressions, whose key columns (INCLUDE columns are not part of the key) are all NOT NULL;
 * without the primary key and without repeats of the same column list, ordered by index name.
 */
export async function pgTableKeys(run: PgRun, schema: string | null, table: string): Promise<TableKeys | null> {
  const rel = await findPgRelation(run, schema, table);
  if (!rel || !KEYED_KINDS.includes(rel.relkind)) return null;
  const columns = await run(
    `select a.attname as name, a.attgenerated <> '' as generated, a.attidentity as identity,
            case when a.attgenerated = '' then coalesce(pg_get_expr(d.adbin, 0) like 'nextval(%', false) else false end as serial
       from pg_attribute a
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attrelid = $1::oid and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [rel.oid],
  );
  const keys = await run(
    `select i.indisprimary as is_primary, json_agg(a.attname order by k.ord) as columns, bool_and(a.attnotnull) as not_null
       from pg_index i
       join pg_class ic on ic.oid = i.indexrelid
       cross join lateral unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = $1::oid and i.indisunique and i.indisvalid and i.indpred is null and i.indexprs is null
        and k.ord <= i.indnkeyatts
      group by i.indexrelid, i.indisprimary, ic.relname
      order by i.indisprimary desc, ic.relname`,
    [rel.oid],
  );
  const primary = keys.find((k) => k.is_primary === true);
  const primaryKey = primary ? (primary.columns as string[]) : [];
  const uniqueKeys: string[][] = [];
  for (const k of keys) {
    const cols = k.columns as string[];
    if (k.is_primary === true || k.not_null !== true) continue;
    if ([primaryKey, ...uniqueKeys].some((u) => sameColumns(u, cols))) continue;
    uniqueKeys.push(cols);
  }
  return {
    schema: rel.schema,
    name: rel.name,
    columns: columns.map((c) => ({
      name: String(c.name),
      generated: c.generated === true || c.identity === 'a',
      identityAlways: c.identity === 'a',
      autoIncrement: c.identity !== '' || c.serial === true,
    })),
    primaryKey,
    uniqueKeys,
  };
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * Indexes of a table (IndexInfo), resolved as findPgRelation does; [] for a view or a missing table
 * (a materialized view gives its indexes). Every index in pg_index, invalid ones (a failed CREATE
 * INDEX CONCURRENTLY) included: they exist, and their name is taken. Key columns only (the first
 * indnkeyatts; INCLUDE columns are not part of the key).
 *
 * Plain key columns come from pg_attribute. Only expression parts (pg_get_indexdef of that column)
 * and predicates (pg_get_expr of indpred) are deparsed, since deparsing locks the table and waits
 * behind a running ALTER TABLE (up to statement_timeout); an index of plain columns never does.
 * PostgreSQL prints an expression part as a bare function call or in parentheses; IndexInfo shows
 * it in parentheses.
 */
export async function listPgIndexes(run: PgRun, schema: string | null, table: string): Promise<IndexInfo[]> {
  const rel = await findPgRelation(run, schema, table);
  if (!rel) return [];
  const rows = await run(
    `select ic.relname as name, i.indisunique as is_unique, i.indisprimary as is_primary, am.amname as method,
            case when i.indpred is not null then pg_get_expr(i.indpred, i.indrelid, true) end as predicate,
            (select json_agg(json_build_object('column', a.attname,
                                               'expression', case when k.attnum = 0 then pg_get_indexdef(i.indexrelid, k.ord::int, true) end)
                             order by k.ord)
               from unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
               left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
              where k.ord <= i.indnkeyatts) as parts
       from pg_index i
       join pg_class ic on ic.oid = i.indexrelid
       join pg_am am on am.oid = ic.relam
      where i.indrelid = $1::oid
      order by ic.relname`,
    [rel.oid],
  );
  return rows.map((r) => ({
    name: String(r.name),
    columns: (r.parts as { column: string | null; expression: string | null }[]).map((p) => p.column ?? expressionPart(p.expression ?? '')),
    unique: r.is_unique === true,
    primary: r.is_primary === true,
    where: r.predicate == null ? null : String(r.predicate),
    method: String(r.method),
  }));
}
