/**
 * The AST reader of `analyzeDdl`: the structure of a DDL statement from node-sql-parser's AST
 * (which columns, constraints, indexes and ALTER actions there are, their names and attributes),
 * with the text the AST does not keep as written (types, DEFAULT expressions, option values, index
 * expressions) taken from the token reader's result for the same element. Elements are matched by
 * position, so a statement whose AST and tokens do not line up (or an AST shape this does not
 * know) gives null and the caller keeps the token reader's result.
 */
import type { Engine } from '../../connectors/connector.js';
import type { AstNode } from '../../lib/sql/ast-walk.js';
import type { SqlToken } from '../../lib/sql/tokens.js';
import { emptyRead, finishPrimaryKey, type DdlRead } from './ddl-read.js';
import type { AlterAction, DdlColumn, DdlIndex } from './ddl-types.js';
import type { TableRef } from './types.js';

class Unknown extends Error {}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const node = (v: unknown): AstNode | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as AstNode) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

/** `tok`: the token reader's result for the same statement. */
export function readDdlAst(ast: AstNode, tok: DdlRead, tokens: readonly SqlToken[], engine: Engine): DdlRead | null {
  try {
    return new AstReader(tokens, engine, tok).read(ast);
  } catch (e) {
    if (e instanceof Unknown) return null;
    throw e;
  }
}

class AstReader {
  private readonly quoted: Set<string>;

  constructor(
    tokens: readonly SqlToken[],
    private readonly engine: Engine,
    private readonly tok: DdlRead,
  ) {
    this.quoted = new Set(tokens.filter((t) => t.kind === 'quoted').map((t) => t.value));
  }

  private fold(s: string, quoted = this.quoted.has(s)): string {
    return this.engine === 'postgresql' && !quoted ? s.toLowerCase() : s;
  }

  /** A column or index name in any of the AST's shapes: `'a'`, `{column: …}`, `{expr: {type, value}}`, `{name: …}`. */
  private name(v: unknown): string {
    const s = str(v);
    if (s !== null) return this.fold(s);
    const o = node(v);
    if (o) {
      if ('column' in o) return this.name(o['column']);
      const expr = node(o['expr']);
      if (expr && typeof expr['value'] === 'string') return this.fold(expr['value'], expr['type'] !== 'default');
      if ('name' in o) return this.name(o['name']);
      if (typeof o['value'] === 'string') return this.fold(o['value'], o['type'] !== 'default');
    }
    throw new Unknown();
  }

  private ref(v: unknown): TableRef {
    const o = node(v);
    const table = str(o?.['table']);
    if (!o || table === null) throw new Unknown();
    const db = str(o['db']) ?? str(o['schema']);
    return { schema: db === null ? null : db.split('.').map((p) => this.fold(p)).join('.'), name: this.fold(table) };
  }

  read(ast: AstNode): DdlRead {
    const type = str(ast['type'])?.toLowerCase();
    const keyword = str(ast['keyword'])?.toLowerCase();
    const kind = this.tok.kind;
    if (type === 'create' && keyword === 'table' && kind === 'CREATE_TABLE') return this.createTable(ast);
    if (type === 'alter' && kind === 'ALTER_TABLE') return this.alterTable(ast);
    if (type === 'create' && keyword === 'index' && kind === 'CREATE_INDEX') return this.createIndex(ast);
    if (type === 'drop' && keyword === 'index' && kind === 'DROP_INDEX') return this.dropIndex(ast);
    if (type === 'drop' && keyword === 'table' && kind === 'DROP_TABLE') return this.dropTable(ast);
    if (type === 'rename' && kind === 'RENAME_TABLE') return this.renameTable(ast);
    if (type === 'comment' && kind === 'COMMENT') return this.comment(ast);
    throw new Unknown();
  }

  // ---- CREATE TABLE ----

  private createTable(ast: AstNode): DdlRead {
    const r = emptyRead('CREATE_TABLE');
    r.table = this.ref(list(ast['table'])[0]);
    r.ifExists = ast['if_not_exists'] !== null && ast['if_not_exists'] !== undefined;
    r.temporary = ast['temporary'] !== null && ast['temporary'] !== undefined;
    const like = node(ast['like']);
    if (like) {
      r.like = this.ref(list(like['table'])[0]);
      return r;
    }
    r.asSelect = node(ast['query_expr']) !== null;
    let tablePk: string[] | null = null;
    const inlinePk: string[] = [];
    for (const d of list(ast['create_definitions']).map(node)) {
      if (!d) throw new Unknown();
      const resource = str(d['resource']);
      if (resource === 'column') {
        const col = this.column(d, this.tok.columns[r.columns.length]);
        r.columns.push(col);
        if (col.primaryKey) inlinePk.push(col.name);
        if (col.unique) r.indexes.push({ name: null, columns: [col.name], unique: true, method: null });
        if (col.references) r.indexes.push({ name: null, columns: [col.name], unique: false, method: null, foreignKey: col.references });
      } else {
        const k = this.constraint(d, this.tok.indexes[r.indexes.length]);
        if (k === 'CHECK') continue;
        if (Array.isArray(k)) tablePk = k;
        else r.indexes.push(k);
      }
    }
    r.primaryKey = tablePk ?? inlinePk;
    finishPrimaryKey(r, this.engine);
    // Table options are MySQL/MariaDB's (the token reader reads no others: SQLite WITHOUT ROWID, PostgreSQL WITH (…)).
    for (const o of this.engine === 'mysql' || this.engine === 'mariadb' ? list(ast['table_options']).map(node) : []) {
      const key = optionKey(str(o?.['keyword']) ?? '');
      if (!key) throw new Unknown();
      r.options[key] = this.tok.options[key] ?? optionValue(o!['value']);
    }
    return r;
  }

  /** A column definition (CREATE TABLE element, ALTER ADD/MODIFY/CHANGE), its text from the token reader's `tok`. */
  private column(d: AstNode, tok: Partial<DdlColumn> | undefined): DdlColumn {
    const name = this.name(d['column']);
    if (tok && tok.name !== name) throw new Unknown();
    const def = node(d['definition']);
    const type = tok?.type ?? (def ? typeText(def) : '');
    const nullable = node(d['nullable']);
    const def_val = node(d['default_val']);
    const comment = node(node(d['comment'])?.['value']);
    const charset = node(node(d['character_set'])?.['value']);
    const collate = node(node(d['collate'])?.['collate']);
    const generated = node(d['generated']);
    const refDef = node(d['reference_definition']);
    const serial = /^(big|small)?serial[248]?$/.test(type);
    const identity = d['generated_by_default'] !== undefined && d['generated_by_default'] !== null;
    const primaryKey = Boolean(d['primary_key']);
    return {
      name,
      type,
      nullable: !(primaryKey || serial || identity || str(nullable?.['type']) === 'not null'),
      defaultValue: def_val ? (tok?.defaultValue ?? null) : null,
      // The AST keeps `''` in comments doubled; the token reader reads the escapes.
      comment: comment ? (tok?.comment ?? str(comment['value'])?.replace(/''/g, "'") ?? null) : null,
      autoIncrement: Boolean(d['auto_increment']) || serial || identity,
      primaryKey,
      unique: Boolean(d['unique']),
      charset: charset ? str(charset['value']) : null,
      collate: collate ? (str(collate['name']) ?? this.nameOrNull(collate['name'])) : null,
      generated: generated ? (str(generated['storage_type'])?.toLowerCase() === 'stored' ? 'STORED' : 'VIRTUAL') : null,
      references: refDef ? this.references(refDef) : null,
    };
  }

  private nameOrNull(v: unknown): string | null {
    try {
      return this.name(v);
    } catch {
      return null;
    }
  }

  private references(refDef: AstNode): { table: TableRef; columns: string[] } {
    return { table: this.ref(list(refDef['table'])[0]), columns: list(refDef['definition']).map((c) => this.name(c)) };
  }

  /** Index key parts: column references by name; anything else (an expression) from the token reader. */
  private keyParts(parts: unknown, tok: readonly string[] | undefined): string[] {
    const items = list(parts);
    if (tok && tok.length !== items.length) throw new Unknown();
    return items.map((p, k) => {
      const o = node(p);
      if (o && o['type'] === 'column_ref') return this.name(o);
      const t = tok?.[k];
      if (t === undefined) throw new Unknown();
      return t;
    });
  }

  /** A table constraint or index: the primary key's columns, an index, or CHECK (ignored). */
  private constraint(d: AstNode, tok: DdlIndex | undefined): string[] | DdlIndex | 'CHECK' {
    const resource = str(d['resource']);
    const type = str(d['constraint_type'])?.toLowerCase() ?? '';
    const parts = (): string[] => this.keyParts(d['definition'], tok?.columns);
    if (resource === 'constraint' && type === 'primary key') return parts();
    if (resource === 'constraint' && type === 'check') return 'CHECK';
    const name = str(d['index']) || str(d['constraint']) || null;
    if (resource === 'constraint' && type.startsWith('unique')) {
      return { name: name === null ? null : this.fold(name), columns: parts(), unique: true, method: tok?.method ?? null };
    }
    if (resource === 'constraint' && type === 'foreign key') {
      const refDef = node(d['reference_definition']);
      const fkName = str(d['constraint']) || str(d['index']) || null;
      const index: DdlIndex = { name: fkName === null ? null : this.fold(fkName), columns: list(d['definition']).map((c) => this.name(c)), unique: false, method: null };
      if (refDef) index.foreignKey = this.references(refDef);
      if (tok?.notValid) index.notValid = true;
      return index;
    }
    if (resource === 'index') {
      const kw = str(d['keyword'])?.toLowerCase() ?? '';
      const special = /^(fulltext|spatial)/.exec(kw)?.[1] ?? null;
      return { name: name === null ? null : this.fold(name), columns: parts(), unique: false, method: special ?? tok?.method ?? null };
    }
    throw new Unknown();
  }

  // ---- ALTER TABLE ----

  private alterTable(ast: AstNode): DdlRead {
    const r = emptyRead('ALTER_TABLE');
    r.table = this.ref(list(ast['table'])[0]);
    r.ifExists = this.tok.ifExists;
    const items = list(ast['expr']).map(node);
    if (items.length !== this.tok.actions.length) throw new Unknown();
    r.actions = items.map((d, k) => this.action(d ?? {}, this.tok.actions[k]!));
    const rename = r.actions.find((a) => a.op === 'RENAME_TABLE');
    if (rename) r.renameTo = rename.to;
    return r;
  }

  private action(d: AstNode, tok: AlterAction): AlterAction {
    const action = str(d['action'])?.toLowerCase() ?? '';
    const resource = str(d['resource'])?.toLowerCase() ?? '';
    const keyword = str(d['keyword'])?.toLowerCase() ?? '';
    const tokColumn = 'column' in tok && typeof tok.column === 'object' ? tok.column : undefined;
    if (action === 'add' && resource === 'column') {
      const suffix = node(d['suffix']);
      const sk = str(suffix?.['keyword'])?.toLowerCase();
      const a: AlterAction = { op: 'ADD_COLUMN', column: this.column(d, tokColumn), after: sk === 'after' ? this.name(suffix!['expr']) : null };
      if (sk === 'first') a.first = true;
      if (tok.op === 'ADD_COLUMN' && tok.ifNotExists) a.ifNotExists = true;
      return a;
    }
    if (action === 'add' && (resource === 'constraint' || resource === 'index')) {
      const def = resource === 'constraint' ? node(d['create_definitions']) : d;
      if (!def) throw new Unknown();
      const k = this.constraint(def, tok.op === 'ADD_INDEX' ? tok.index : undefined);
      if (k === 'CHECK') return this.same(tok, 'OTHER');
      if (Array.isArray(k)) return { op: 'ADD_PRIMARY_KEY', columns: k, name: str(def['constraint']) ? this.fold(str(def['constraint'])!) : null };
      return { op: 'ADD_INDEX', index: k };
    }
    if (action === 'drop') {
      if (resource === 'column') return { op: 'DROP_COLUMN', name: this.name(d['column']), ...(tok.op === 'DROP_COLUMN' && tok.ifExists ? { ifExists: true } : {}) };
      if (keyword === 'primary key') return { op: 'DROP_PRIMARY_KEY' };
      if (keyword === 'foreign key') return { op: 'DROP_CONSTRAINT', name: this.name(d['key']), foreignKey: true };
      if (resource === 'index' || resource === 'key') return { op: 'DROP_INDEX', name: this.name(d['index'] ?? d['key']) };
      if (resource === 'constraint') return { op: 'DROP_CONSTRAINT', name: this.name(d['constraint']) };
      throw new Unknown();
    }
    if (action === 'modify' || action === 'change') {
      const column = this.column(d, tokColumn);
      const from = action === 'change' ? this.name(d['old_column']) : column.name;
      const suffix = node(d['suffix']);
      const sk = str(suffix?.['keyword'])?.toLowerCase();
      const a: AlterAction = { op: 'MODIFY_COLUMN', from, column, change: 'REDEFINE', after: sk === 'after' ? this.name(suffix!['expr']) : null };
      if (sk === 'first') a.first = true;
      return a;
    }
    if (action === 'rename' && resource === 'column') return { op: 'RENAME_COLUMN', from: this.name(d['old_column']), to: this.name(d['column']) };
    if (action === 'rename' && resource === 'table') return { op: 'RENAME_TABLE', to: { schema: null, name: this.name(d['table']) } };
    if (action === 'alter' && resource === 'column') return this.alterColumn(d, tok);
    if (action === '' && d['type'] === 'alter' && keyword) {
      const key = optionKey(keyword);
      if (!key) throw new Unknown();
      const value = tok.op === 'OPTIONS' ? tok.options[key] : undefined;
      return { op: 'OPTIONS', options: { [key]: value ?? optionValue(d[keyword]) } };
    }
    throw new Unknown();
  }

  /** PostgreSQL ALTER [COLUMN] a TYPE … / SET|DROP NOT NULL / SET|DROP DEFAULT. */
  private alterColumn(d: AstNode, tok: AlterAction): AlterAction {
    const name = this.name(d['column']);
    if (tok.op !== 'MODIFY_COLUMN' || tok.from !== name) throw new Unknown();
    const suffix = str(node(d['column'])?.['suffix'])?.toLowerCase();
    const nullable = node(d['nullable']);
    const def = node(d['default_val']);
    if (suffix === 'type' || suffix === 'set data type') return this.same(tok, 'TYPE');
    if (nullable) {
      const set = str(nullable['action'])?.toLowerCase() === 'set';
      return { op: 'MODIFY_COLUMN', from: name, column: { name, nullable: !set }, change: 'NULLABILITY' };
    }
    if (def) {
      const drop = str(def['type'])?.toLowerCase() === 'drop default';
      return { op: 'MODIFY_COLUMN', from: name, column: { name, defaultValue: drop ? null : (tok.column.defaultValue ?? null) }, change: 'DEFAULT' };
    }
    throw new Unknown();
  }

  /** The token reader's action, when it read the same kind of thing (the AST has nothing more to add). */
  private same(tok: AlterAction, change: 'TYPE' | 'OTHER'): AlterAction {
    if (change === 'TYPE' && tok.op === 'MODIFY_COLUMN' && tok.change === 'TYPE') return tok;
    if (change === 'OTHER' && tok.op === 'OTHER') return tok;
    throw new Unknown();
  }

  // ---- CREATE INDEX / DROP INDEX / DROP TABLE / RENAME TABLE / COMMENT ON ----

  private createIndex(ast: AstNode): DdlRead {
    const r = emptyRead('CREATE_INDEX');
    const tok = this.tok.indexes[0];
    r.table = this.tok.table && this.engine === 'sqlite' ? this.tok.table : this.ref(ast['table']);
    r.concurrently = Boolean(ast['concurrently']);
    r.ifExists = Boolean(ast['if_not_exists']);
    const type = str(ast['index_type'])?.toLowerCase() ?? null;
    const rawName = ast['index'];
    const name = rawName === null || rawName === undefined ? null : this.name(rawName);
    const method = type === 'fulltext' || type === 'spatial' ? type : (str(node(ast['index_using'])?.['type'])?.toLowerCase() ?? null);
    const index: DdlIndex = { name, columns: this.keyParts(ast['index_columns'], tok?.columns), unique: type === 'unique', method };
    if (ast['where'] !== undefined && ast['where'] !== null) index.where = tok?.where ?? null;
    r.indexes = [index];
    r.options = { ...this.tok.options };
    return r;
  }

  private dropIndex(ast: AstNode): DdlRead {
    const r = emptyRead('DROP_INDEX');
    const prefix = str(ast['prefix'])?.toUpperCase() ?? '';
    r.ifExists = prefix.includes('IF EXISTS');
    r.concurrently = prefix.includes('CONCURRENTLY');
    const n = node(ast['name']);
    r.indexName = this.name(n);
    const schema = str(n?.['table']);
    r.indexSchema = schema === null ? null : this.fold(schema);
    r.table = ast['table'] ? this.ref(ast['table']) : null;
    r.options = { ...this.tok.options };
    return r;
  }

  private dropTable(ast: AstNode): DdlRead {
    const r = emptyRead('DROP_TABLE');
    r.ifExists = (str(ast['prefix']) ?? '').toUpperCase().includes('IF EXISTS');
    r.temporary = this.tok.temporary ?? false;
    r.tables = list(ast['name']).map((t) => this.ref(t));
    r.table = r.tables[0] ?? null;
    return r;
  }

  private renameTable(ast: AstNode): DdlRead {
    const r = emptyRead('RENAME_TABLE');
    r.renames = list(ast['table']).map((pair) => {
      const [from, to] = list(pair);
      return { from: this.ref(from), to: this.ref(to) };
    });
    r.table = r.renames[0]?.from ?? null;
    r.renameTo = r.renames[0]?.to ?? null;
    return r;
  }

  private comment(ast: AstNode): DdlRead {
    const r = emptyRead('COMMENT');
    const target = node(ast['target']);
    const on = str(target?.['type'])?.toUpperCase();
    const n = node(target?.['name']);
    if (!n || (on !== 'TABLE' && on !== 'COLUMN')) throw new Unknown();
    if (on === 'TABLE') r.table = this.ref(n);
    else {
      const table = str(n['table']);
      const schema = str(n['schema']) ?? str(n['db']);
      r.table = table === null ? null : { schema: schema === null ? null : this.fold(schema), name: this.fold(table) };
    }
    const value = node(node(ast['expr'])?.['expr']);
    // The text as the token reader read it (the AST keeps `''` doubled).
    const text = value && value['type'] !== 'null' ? (this.tok.comment?.text ?? str(value['value'])) : null;
    r.comment = { on, column: on === 'COLUMN' ? this.name(n) : null, text };
    return r;
  }
}

/** The option names of table_options / ALTER items, normalized as the token reader names them. */
function optionKey(keyword: string): string | null {
  const k = keyword.toLowerCase().replace(/^default /, '');
  if (k === 'charset' || k === 'character set' || k === 'char set') return 'charset';
  return /^[a-z_]+$/.test(k) ? k : null;
}

function optionValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  const s = str(v) ?? str(node(v)?.['value']) ?? '';
  return /^'.*'$/s.test(s) ? s.slice(1, -1).replace(/''/g, "'") : s;
}

/** A type from the AST's `{dataType, length, scale, suffix}` (when the token reader has none). */
function typeText(def: AstNode): string {
  const base = (str(def['dataType']) ?? '').toLowerCase();
  const len = def['length'];
  const scale = def['scale'];
  const args = typeof len === 'number' ? `(${len}${typeof scale === 'number' ? `,${scale}` : ''})` : '';
  const suffix = list(def['suffix']).filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase());
  return [base + args, ...suffix].join(' ');
}
