/**
 * Turns a script into `AnalyzedStatement`s, the only input the rules read: split (with lines),
 * classify by leading keyword, then for DML read the node-sql-parser AST, or, when the statement
 * does not parse, the token fallback.
 *
 * MariaDB: node-sql-parser 5.4's MariaDB grammar refuses `UPDATE/DELETE … ORDER BY … LIMIT`
 * (valid MariaDB), so a MariaDB statement that fails is retried with the MySQL grammar, whose DML
 * syntax is the same for what the rules look at. (SQL_PARSE, not this review, decides validity.)
 */
import type { Engine } from '../../connectors/connector.js';
import type { AstNode } from '../../lib/sql/ast-walk.js';
import { parseStatement, type ParsedTable, type ParseResult } from '../../lib/sql/parse.js';
import { splitStatements, type SqlStatement } from '../../lib/sql/split.js';
import { leadingKeyword } from '../../lib/sql/token-syntax.js';
import { tablesFromTokens } from '../../lib/sql/token-tables.js';
import { tokenize, type SqlToken } from '../../lib/sql/tokens.js';
import { sameTable, uniqueRefs } from './table-refs.js';
import { factsFromTokens } from './token-fallback.js';
import type { AnalyzedStatement, DmlKind, TableRef } from './types.js';
import { truthOf } from './where.js';

/** Longer statements skip the parser (about 0.75 s per 100 KB) and get the token fallback only. */
export const MAX_PARSE_CHARS = 256 * 1024;

const KINDS: Record<string, DmlKind> = { INSERT: 'INSERT', UPDATE: 'UPDATE', DELETE: 'DELETE', REPLACE: 'REPLACE' };

export function analyzeDml(sql: string, engine: Engine): AnalyzedStatement[] {
  return splitStatements(sql, engine).map((s, k) => analyzeStatement(s, k + 1, engine));
}

/** How long `analyzeDmlAsync` parses before it lets other work of the process run. */
export const ANALYZE_SLICE_MS = 20;

/**
 * The same result as `analyzeDml`, handing the event loop back every `sliceMs`. Parsing is
 * synchronous and costs 0.15-0.5 ms per statement (more while the parser is not yet JIT-compiled),
 * so `analyzeDml` on a 10,000-statement script keeps a server from answering anything for 2-6 s
 * (bench/dc-precheck.bench.ts); callers inside a server use this one.
 */
export async function analyzeDmlAsync(sql: string, engine: Engine, sliceMs = ANALYZE_SLICE_MS): Promise<AnalyzedStatement[]> {
  const split = splitStatements(sql, engine);
  const out: AnalyzedStatement[] = [];
  let slice = performance.now();
  for (let k = 0; k < split.length; k++) {
    out.push(analyzeStatement(split[k]!, k + 1, engine));
    if (performance.now() - slice >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  return out;
}

function analyzeStatement(stmt: SqlStatement, index: number, engine: Engine): AnalyzedStatement {
  const { tokens } = tokenize(stmt.text, engine);
  const lead = leadingKeyword(tokens);
  const kind: DmlKind = (lead.keyword && KINDS[lead.keyword]) || 'OTHER';
  const base: AnalyzedStatement = {
    index,
    line: stmt.line,
    sql: stmt.text,
    kind,
    parsed: true,
    parseError: null,
    targets: [],
    reads: [],
    tables: [],
    hasWhere: null,
    whereAlwaysTrue: null,
    hasLimit: null,
    hasOrderBy: null,
    assignedColumns: null,
    insertColumnList: null,
    insertReads: [],
  };
  if (kind === 'OTHER') {
    // Not reviewed (the ticket type check refuses non-DML); the tables are only for the listing.
    base.tables = tablesFromTokens(tokens, engine);
    return base;
  }
  const parse = stmt.text.length <= MAX_PARSE_CHARS ? parseDml(stmt.text, engine) : null;
  const ast = parse?.ok ? (parse.ast as unknown as AstNode) : null;
  if (!parse?.ok || !ast || typeof ast['type'] !== 'string' || !(ast['type'].toUpperCase() in KINDS)) {
    const facts = factsFromTokens(tokens, lead.index, kind, engine);
    return {
      ...base,
      ...facts,
      parsed: false,
      parseError: parse && !parse.ok ? parse.message : parse ? 'the parser read it as another kind of statement' : `longer than ${MAX_PARSE_CHARS} characters`,
      tables: uniqueRefs([...facts.targets, ...facts.reads, ...facts.insertReads]),
    };
  }
  return { ...base, ...factsFromAst(ast, parse.tables, tokens, kind, engine) };
}

function parseDml(sql: string, engine: Engine): ParseResult {
  const r = parseStatement(sql, engine);
  if (r.ok || engine !== 'mariadb') return r;
  const mysql = parseStatement(sql, 'mysql');
  return mysql.ok ? mysql : r;
}

// ---- AST ----

interface AstTable {
  db?: unknown;
  table?: unknown;
  as?: unknown;
  join?: unknown;
}

function factsFromAst(ast: AstNode, parsed: ParsedTable[], tokens: SqlToken[], kind: DmlKind, engine: Engine): Partial<AnalyzedStatement> {
  const quoted = new Set(tokens.filter((t) => t.kind === 'quoted').map((t) => t.value));
  // The parser's table list has the names folded as the server resolves them; the AST has them as written.
  const resolve = (ref: AstTable): TableRef | null => {
    if (typeof ref.table !== 'string') return null;
    const written: TableRef = { schema: typeof ref.db === 'string' ? ref.db : null, name: ref.table };
    const match = parsed.find((p) => sameTable(p, written) && (p.schema === null) === (written.schema === null));
    if (match) return { schema: match.schema, name: match.name };
    const fold = (s: string) => (engine === 'postgresql' && !quoted.has(s) ? s.toLowerCase() : s);
    return { schema: written.schema === null ? null : fold(written.schema), name: fold(written.name) };
  };
  const list = (v: unknown): AstTable[] => (Array.isArray(v) ? (v as AstTable[]) : []);
  const tableEntries = list(ast['table']);
  const fromEntries = list(ast['from']);
  /** An alias or name (as a DELETE target or SET qualifier names it) → the table it stands for. */
  const byAlias = (name: string): TableRef | null => {
    const lower = name.toLowerCase();
    const entry =
      [...tableEntries, ...fromEntries].find((e) => typeof e.as === 'string' && e.as.toLowerCase() === lower) ??
      [...tableEntries, ...fromEntries].find((e) => typeof e.table === 'string' && e.table.toLowerCase() === lower);
    return entry ? resolve(entry) : null;
  };

  let targets: TableRef[] = [];
  let assignedColumns: { table: TableRef; column: string }[] = [];
  const out: Partial<AnalyzedStatement> = {};
  if (kind === 'UPDATE') {
    const first = tableEntries[0] ? resolve(tableEntries[0]) : null;
    // MySQL multi-table UPDATE changes the tables its SET qualifiers name; unqualified: the first.
    assignedColumns = setItems(ast['set']).flatMap((item) => {
      const table = (item.qualifier ? byAlias(item.qualifier) : null) ?? first;
      return table ? [{ table, column: foldColumn(item, engine) }] : [];
    });
    targets = uniqueRefs(assignedColumns.length ? assignedColumns.map((a) => a.table) : first ? [first] : []);
  } else if (kind === 'DELETE') {
    // MySQL `DELETE a FROM t a JOIN …` names the alias; PostgreSQL and SQLite repeat the FROM table.
    targets = uniqueRefs(tableEntries.flatMap((e) => (typeof e.table === 'string' ? [byAlias(e.table)] : [])).filter((t): t is TableRef => t !== null));
  } else {
    const target = tableEntries[0] ? resolve(tableEntries[0]) : null;
    targets = target ? [target] : [];
    const cols = ast['columns'];
    out.insertColumnList = (Array.isArray(cols) && cols.length > 0) || Array.isArray(ast['set']);
    out.insertReads = uniqueRefs(parsed.filter((p) => p.action === 'select'));
    // ON DUPLICATE KEY UPDATE (MySQL) / ON CONFLICT … DO UPDATE (PostgreSQL) assign target columns too.
    const dup = (ast['on_duplicate_update'] as AstNode | null)?.['set'];
    const conflict = (((ast['conflict'] as AstNode | null)?.['action'] as AstNode | null)?.['expr'] as AstNode | null)?.['set'];
    if (target) assignedColumns = [...setItems(dup), ...setItems(conflict)].map((item) => ({ table: target, column: foldColumn(item, engine) }));
  }
  const reads = uniqueRefs(parsed.filter((p) => p.action === 'select' || !targets.some((t) => sameTable(t, p))));
  out.targets = targets;
  out.reads = reads;
  out.tables = uniqueRefs([...targets, ...reads]);
  out.assignedColumns = assignedColumns;
  if (kind === 'UPDATE' || kind === 'DELETE') {
    const where = ast['where'];
    out.hasWhere = where !== null && where !== undefined;
    out.whereAlwaysTrue = out.hasWhere ? truthOf(where) === true : false;
    const limit = (ast['limit'] as { value?: unknown } | null | undefined)?.value;
    out.hasLimit = Array.isArray(limit) && limit.length > 0;
    const order = ast['orderby'];
    out.hasOrderBy = Array.isArray(order) && order.length > 0;
  }
  return out;
}

interface SetItem {
  qualifier: string | null;
  name: string;
  /** PostgreSQL: written without quotes, so the server folds it to lower case. */
  unquoted: boolean;
}

/**
 * SET items in the parser's two shapes: `{column: 'a', table}` (MySQL, SQLite) and
 * `{type: 'column_ref', column: {expr: {type: 'default' | 'double_quote_string', value}}}` (PostgreSQL).
 */
function setItems(v: unknown): SetItem[] {
  if (!Array.isArray(v)) return [];
  return (v as AstNode[]).flatMap((item) => {
    const qualifier = typeof item['table'] === 'string' ? item['table'] : null;
    const col = item['column'];
    if (typeof col === 'string') return [{ qualifier, name: col, unquoted: false }];
    const expr = (col as AstNode | null)?.['expr'] as AstNode | undefined;
    if (expr && typeof expr['value'] === 'string') return [{ qualifier, name: expr['value'], unquoted: expr['type'] === 'default' }];
    return [];
  });
}

function foldColumn(item: SetItem, engine: Engine): string {
  return engine === 'postgresql' && item.unquoted ? item.name.toLowerCase() : item.name;
}
