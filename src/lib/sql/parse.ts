/**
 * One statement through node-sql-parser, with the tables it touches. The wrapper:
 * - loads only the engine's grammar (`node-sql-parser/build/<dialect>`, ~12 ms, on first use,
 *   instead of ~70 ms for the all-dialect entry at import time);
 * - fixes the table list's known gaps in 5.4: CTE names listed as tables (`select::null::x`),
 *   PostgreSQL ALTER TABLE / CREATE INDEX listing no table (it is in the AST), DROP's action in
 *   upper case, and PostgreSQL `FROM ONLY t` read as a table named "only" (ONLY is blanked out
 *   before parsing: it only limits inheritance, and offsets stay the same);
 * - folds unquoted PostgreSQL names to lower case, as the server resolves them;
 * - turns the parser's exception into a short message with a position.
 *
 * Grammar gaps (statements that are valid SQL but fail here) are listed in the export check's
 * tests; callers must treat `ok: false` as "unknown", not as "invalid SQL".
 */
import { createRequire } from 'node:module';
import type { AST, Parser } from 'node-sql-parser';
import type { Engine } from '../../connectors/connector.js';
import { cteNamesOf } from './ast-walk.js';
import { tokenize, type SqlToken } from './tokens.js';
import { isOp, isWord } from './token-syntax.js';

export type SqlAst = AST;

export interface ParsedTable {
  /** As written before the table name (`shop`, `db.schema`); null when unqualified. */
  schema: string | null;
  name: string;
  /** Lower case: select, insert, update, delete, create, alter, drop, truncate, lock, … */
  action: string;
}

export type ParseResult =
  | { ok: true; ast: SqlAst; tables: ParsedTable[] }
  | { ok: false; message: string; line?: number; column?: number };

const BUILDS: Record<Engine, { module: string; database: string }> = {
  mysql: { module: 'node-sql-parser/build/mysql', database: 'MySQL' },
  mariadb: { module: 'node-sql-parser/build/mariadb', database: 'MariaDB' },
  postgresql: { module: 'node-sql-parser/build/postgresql', database: 'PostgresQL' },
  sqlite: { module: 'node-sql-parser/build/sqlite', database: 'Sqlite' },
};

// The per-dialect builds are CommonJS; require them synchronously so parsing stays synchronous.
const requireCjs = createRequire(import.meta.url);
const parsers = new Map<Engine, Parser>();

function parserFor(engine: Engine): Parser {
  let parser = parsers.get(engine);
  if (!parser) {
    const mod = requireCjs(BUILDS[engine].module) as { Parser: new () => Parser };
    parser = new mod.Parser();
    parsers.set(engine, parser);
  }
  return parser;
}

/** Parses exactly one statement (split first with `splitStatements`). */
export function parseStatement(sql: string, engine: Engine): ParseResult {
  const { tokens } = tokenize(sql, engine);
  const text = engine === 'postgresql' ? blankTableOnly(sql, tokens) : sql;
  let result: { tableList: string[]; ast: AST | AST[] };
  try {
    result = parserFor(engine).parse(text, { database: BUILDS[engine].database });
  } catch (err) {
    return parseFailure(sql, err);
  }
  const asts = Array.isArray(result.ast) ? result.ast : [result.ast];
  if (asts.length !== 1 || !asts[0]) {
    return { ok: false, message: asts.length ? 'More than one statement; split the script first.' : 'Empty statement.' };
  }
  const ast = asts[0];
  return { ok: true, ast, tables: tablesOf(result.tableList, ast, tokens, engine) };
}

/** `FROM ONLY t`, `JOIN ONLY t`, `UPDATE ONLY t`, `TABLE ONLY t`, … → the same text with ONLY as spaces. */
function blankTableOnly(sql: string, tokens: SqlToken[]): string {
  let out = '';
  let from = 0;
  tokens.forEach((t, k) => {
    const prev = tokens[k - 1];
    if (isWord(t, 'ONLY') && (isWord(prev, 'FROM', 'JOIN', 'UPDATE', 'TABLE', 'TRUNCATE', 'LOCK') || isOp(prev, ','))) {
      out += sql.slice(from, t.start) + ' '.repeat(t.end - t.start);
      from = t.end;
    }
  });
  return from === 0 ? sql : out + sql.slice(from);
}

function tablesOf(tableList: string[], ast: AST, tokens: SqlToken[], engine: Engine): ParsedTable[] {
  const tables: ParsedTable[] = [];
  for (const entry of tableList) {
    // `action::db::table`; db is "null" when unqualified, table "null" for SHOW/USE.
    const parts = entry.split('::');
    if (parts.length < 3) continue;
    const name = parts.slice(2).join('::');
    if (name === 'null' || name === '') continue;
    tables.push({ action: parts[0]!.toLowerCase(), schema: parts[1] === 'null' ? null : parts[1]!, name });
  }
  addMissingDdlTables(ast, tables);

  const ctes = new Set(cteNamesOf(ast).map((n) => n.toLowerCase()));
  const quoted = new Set(tokens.filter((t) => t.kind === 'quoted').map((t) => t.value));
  const fold = (s: string): string => (engine === 'postgresql' && !quoted.has(s) ? s.toLowerCase() : s);
  const seen = new Set<string>();
  const out: ParsedTable[] = [];
  for (const t of tables) {
    if (t.schema === null && ctes.has(t.name.toLowerCase())) continue;
    const table: ParsedTable = {
      action: t.action,
      schema: t.schema === null ? null : t.schema.split('.').map(fold).join('.'),
      name: fold(t.name),
    };
    const key = `${table.action}\u0000${table.schema ?? ''}\u0000${table.name}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(table);
    }
  }
  return out;
}

/** PostgreSQL ALTER TABLE and CREATE INDEX: the table is in `ast.table` but not in the table list. */
function addMissingDdlTables(ast: AST, tables: ParsedTable[]): void {
  const node = ast as unknown as { type?: unknown; keyword?: unknown; table?: unknown };
  const type = typeof node.type === 'string' ? node.type.toLowerCase() : '';
  if (!(type === 'alter' || (type === 'create' && node.keyword === 'index'))) return;
  if (tables.some((t) => t.action === type)) return;
  const refs = Array.isArray(node.table) ? node.table : [node.table];
  for (const ref of refs as ({ db?: unknown; table?: unknown } | null | undefined)[]) {
    if (ref && typeof ref.table === 'string') {
      tables.push({ action: type, schema: typeof ref.db === 'string' ? ref.db : null, name: ref.table });
    }
  }
}

interface PegError {
  message?: unknown;
  location?: { start?: { offset?: number; line?: number; column?: number } };
}

/** The parser's "Expected …, … but "x" found." lists every alternative; keep the position and the word there. */
function parseFailure(sql: string, err: unknown): ParseResult {
  const start = (err as PegError | null)?.location?.start;
  if (!start || typeof start.line !== 'number' || typeof start.column !== 'number') {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `Could not parse the statement: ${detail.slice(0, 200)}` };
  }
  const offset = start.offset ?? 0;
  const word = /^(?:[\p{L}\p{N}_$]+|\S)/u.exec(sql.slice(offset, offset + 64))?.[0];
  const near = word ? `near "${word}"` : 'at the end of the statement';
  return {
    ok: false,
    message: `Could not parse the statement ${near} (line ${start.line}, column ${start.column}).`,
    line: start.line,
    column: start.column,
  };
}
