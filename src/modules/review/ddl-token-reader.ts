/**
 * The token reader of `analyzeDdl`: reads the DDL forms the schema-design tickets hold from the
 * statement's tokens alone. It is the fallback where node-sql-parser has gaps (many, for DDL: see
 * README.md) and the source of the text the AST does not keep as written (types, defaults, option
 * values). Best effort on well-formed statements; what it cannot read becomes an `OTHER` action
 * or kind, never an exception.
 */
import type { Engine } from '../../connectors/connector.js';
import type { SqlToken } from '../../lib/sql/tokens.js';
import { DdlCursor } from './ddl-cursor.js';
import { emptyRead, finishPrimaryKey, type DdlRead } from './ddl-read.js';
import { alterTable } from './ddl-token-alter.js';
import { keyParts, readColumn, readConstraint, readTableOptions, startsConstraint } from './ddl-token-elements.js';
import type { DdlIndex } from './ddl-types.js';

export type { DdlRead } from './ddl-read.js';

/** `tokens`: the statement's, without MySQL executable comments. */
export function readDdlTokens(tokens: readonly SqlToken[], sql: string, engine: Engine): DdlRead {
  const c = new DdlCursor(tokens, sql, engine);
  if (c.take('CREATE')) {
    c.takeSeq('OR', 'REPLACE');
    c.take('ONLINE', 'OFFLINE');
    const unique = c.take('UNIQUE') !== null;
    const special = unique ? null : c.take('FULLTEXT', 'SPATIAL');
    if (c.take('INDEX')) return createIndex(c, unique, special);
    if (unique || special) return emptyRead('OTHER');
    c.take('GLOBAL', 'LOCAL');
    const temporary = c.take('TEMPORARY', 'TEMP') !== null;
    c.take('UNLOGGED');
    if (c.take('TABLE')) return createTable(c, temporary);
    return emptyRead('OTHER');
  }
  if (c.take('ALTER')) {
    c.take('ONLINE', 'OFFLINE');
    c.take('IGNORE');
    if (c.take('TABLE')) return alterTable(c);
    return emptyRead('OTHER');
  }
  if (c.take('DROP')) {
    c.take('ONLINE', 'OFFLINE');
    const temporary = c.take('TEMPORARY') !== null;
    if (c.take('TABLE')) return dropTable(c, temporary);
    if (!temporary && c.take('INDEX')) return dropIndex(c);
    return emptyRead('OTHER');
  }
  if (c.mysqlish && c.take('RENAME') && c.take('TABLE', 'TABLES')) return renameTable(c);
  if (c.engine === 'postgresql' && c.takeSeq('COMMENT', 'ON')) return commentOn(c);
  return emptyRead('OTHER');
}

// ---- CREATE TABLE ----

const AFTER_OPTIONS = new Set(['AS', 'SELECT', 'WITH', 'IGNORE', 'REPLACE', 'PARTITION', 'TABLE', 'VALUES']);

function createTable(c: DdlCursor, temporary: boolean): DdlRead {
  const r = emptyRead('CREATE_TABLE');
  r.temporary = temporary;
  r.ifExists = c.takeIfExists();
  r.table = c.ref();
  if (c.take('LIKE')) {
    r.like = c.ref();
    return r;
  }
  const body = c.group();
  if (body) {
    const inner = c.sub(body.start, body.end);
    if (inner.take('LIKE')) {
      r.like = inner.ref();
      return r;
    }
    readElements(inner, r);
  }
  if (c.mysqlish) r.options = readTableOptions(c, AFTER_OPTIONS);
  // CREATE TABLE … [AS] SELECT (MySQL: also IGNORE|REPLACE SELECT, or a parenthesised query).
  while (!c.done()) {
    if (c.is('SELECT', 'WITH', 'VALUES') || (c.is('TABLE') && c.mysqlish) || (c.take('AS') && (c.is('SELECT', 'WITH', 'VALUES', 'TABLE') || c.isOp('(')))) {
      r.asSelect = true;
      break;
    }
    if (!c.group()) c.skip();
  }
  return r;
}

function readElements(inner: DdlCursor, r: DdlRead): void {
  const inlinePk: string[] = [];
  let tablePk: string[] | null = null;
  for (const part of inner.commaParts()) {
    if (startsConstraint(part)) {
      const k = readConstraint(part);
      if (k.kind === 'PRIMARY') tablePk = k.columns;
      else if (k.kind === 'INDEX') r.indexes.push(k.index);
      continue;
    }
    const col = readColumn(part)?.column;
    if (!col) continue;
    r.columns.push(col);
    if (col.primaryKey) inlinePk.push(col.name);
    if (col.unique) r.indexes.push({ name: null, columns: [col.name], unique: true, method: null });
    if (col.references) r.indexes.push({ name: null, columns: [col.name], unique: false, method: null, foreignKey: col.references });
  }
  r.primaryKey = tablePk ?? inlinePk;
  finishPrimaryKey(r, inner.engine);
}

// ---- CREATE INDEX / DROP INDEX / DROP TABLE / RENAME TABLE / COMMENT ON ----

function createIndex(c: DdlCursor, unique: boolean, special: string | null): DdlRead {
  const r = emptyRead('CREATE_INDEX');
  r.concurrently = c.take('CONCURRENTLY') !== null;
  r.ifExists = c.takeIfExists();
  let name: string | null = null;
  let schema: string | null = null;
  // PostgreSQL may leave the name out: `CREATE INDEX ON t (…)`.
  const noName = c.is('ON') && (c.at(1)?.kind === 'word' || c.at(1)?.kind === 'quoted');
  const parts = noName ? null : c.qualified();
  if (parts) {
    name = parts[parts.length - 1]!;
    if (parts.length > 1) schema = parts.slice(0, -1).join('.');
  }
  let method: string | null = special ? special.toLowerCase() : null;
  if (c.take('USING')) method = c.value()?.toLowerCase() ?? method;
  if (!c.take('ON')) return r;
  c.take('ONLY');
  const table = c.ref();
  // SQLite: `CREATE INDEX main.idx ON t (…)` puts t in schema main.
  r.table = table && schema !== null && table.schema === null && c.engine === 'sqlite' ? { schema, name: table.name } : table;
  if (c.take('USING')) method = c.value()?.toLowerCase() ?? method;
  const g = c.group();
  const index: DdlIndex = { name, columns: g ? keyParts(c.sub(g.start, g.end)) : [], unique, method };
  c.until((x) => x.is('WHERE') || (x.mysqlish && x.is('ALGORITHM', 'LOCK')));
  if (c.take('WHERE')) index.where = c.rest();
  r.indexes = [index];
  r.options = onlineOptions(c);
  return r;
}

function dropIndex(c: DdlCursor): DdlRead {
  const r = emptyRead('DROP_INDEX');
  c.take('ONLINE', 'OFFLINE');
  r.concurrently = c.take('CONCURRENTLY') !== null;
  r.ifExists = c.takeIfExists();
  const parts = c.qualified();
  if (parts) {
    r.indexName = parts[parts.length - 1]!;
    if (parts.length > 1) r.indexSchema = parts.slice(0, -1).join('.');
  }
  if (c.take('ON')) r.table = c.ref();
  r.options = onlineOptions(c);
  return r;
}

/** MySQL CREATE/DROP INDEX … ALGORITHM [=] x LOCK [=] y, from the cursor on. */
function onlineOptions(c: DdlCursor): Record<string, string> {
  const options: Record<string, string> = {};
  if (!c.mysqlish) return options;
  while (!c.done()) {
    const key = c.take('ALGORITHM', 'LOCK');
    if (!key) {
      if (!c.group()) c.skip();
      continue;
    }
    c.takeOp('=');
    const v = c.value();
    if (v !== null) options[key.toLowerCase()] = v;
  }
  return options;
}

function dropTable(c: DdlCursor, temporary: boolean): DdlRead {
  const r = emptyRead('DROP_TABLE');
  r.temporary = temporary;
  r.ifExists = c.takeIfExists();
  for (const part of c.commaParts()) {
    const t = part.ref();
    if (t) r.tables!.push(t);
  }
  r.table = r.tables![0] ?? null;
  return r;
}

function renameTable(c: DdlCursor): DdlRead {
  const r = emptyRead('RENAME_TABLE');
  for (const part of c.commaParts()) {
    const from = part.ref();
    const to = part.take('TO') ? part.ref() : null;
    if (from && to) r.renames!.push({ from, to });
  }
  const first = r.renames![0];
  r.table = first?.from ?? null;
  r.renameTo = first?.to ?? null;
  return r;
}

function commentOn(c: DdlCursor): DdlRead {
  const on = c.take('TABLE', 'COLUMN') as 'TABLE' | 'COLUMN' | null;
  if (!on) return emptyRead('OTHER');
  const r = emptyRead('COMMENT');
  const parts = c.qualified() ?? [];
  let column: string | null = null;
  if (on === 'COLUMN') column = parts.pop() ?? null;
  r.table = parts.length ? { schema: parts.length > 1 ? parts.slice(0, -1).join('.') : null, name: parts[parts.length - 1]! } : null;
  let text: string | null = null;
  if (c.take('IS')) text = c.take('NULL') ? null : c.string();
  r.comment = { on, column, text };
  return r;
}
