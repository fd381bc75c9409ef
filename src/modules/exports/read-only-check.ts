/**
 * The export precheck's first, user-facing line: every statement of a data-export ticket must be a
 * single read-only query, and a refusal says which statement and what is wrong in plain words.
 * The export also runs inside a read-only transaction, the backstop for data and schema changes;
 * this check is what stops what such a transaction allows (row locks on MySQL, INTO OUTFILE,
 * GET_LOCK, pg_terminate_backend, …) and what words the refusal.
 *
 * Per statement, the first problem found is reported, in this order:
 * 1. lexical: an unterminated string or comment, a MySQL executable comment (`/*! … *\/`, run by
 *    the server), the leading keyword (after any WITH list: `WITH … DELETE` is DML);
 * 2. the AST, when node-sql-parser parses the statement: a SELECT, with no INSERT/UPDATE/DELETE
 *    nested anywhere (PostgreSQL data-modifying CTEs);
 * 3. lexical, always: unmistakable DML (`DELETE FROM`, `INSERT INTO`, `UPDATE t SET`, `MERGE INTO`),
 *    row-locking clauses, INTO, then (after the AST's own INTO / lock, as a safety net) the function
 *    deny-list. Always, because our lexer follows the engine's quoting and comment rules and the
 *    parser's grammar does not quite (it reads MySQL `1--1 FOR UPDATE` as `1` and a comment);
 * 4. only when the parser failed: no refused keyword may appear as a bare word at all;
 * 5. for a statement with a backslash: 1's executable comments and 3's clauses and functions again,
 *    reading `\'` the other way (the server's NO_BACKSLASH_ESCAPES / standard_conforming_strings).
 *
 * Why a lexical fallback instead of refusing what the parser cannot parse: node-sql-parser 5.4
 * misses much valid read-only SQL (PostgreSQL row-lock clauses, FETCH FIRST, GROUPING SETS,
 * substring(… FROM … FOR …), VALUES; MySQL index hints, NATURAL JOIN, JSON_TABLE; SQLite window
 * functions, INTERSECT/EXCEPT; see PARSER_GAPS in the tests). Refusing those would make the
 * feature useless. The word check is conservative (a column named like a refused keyword must be
 * quoted, and the message says so), it still finds every construct the lexical steps find, and what
 * a grammar would catch beyond words (a data change) the read-only transaction stops. Such
 * statements are marked `parsed: false`.
 */
import type { Engine } from '../../connectors/connector.js';
import { walkAst, type AstNode } from '../../lib/sql/ast-walk.js';
import { parseStatement, type SqlAst } from '../../lib/sql/parse.js';
import { sideEffectFunctionReason } from '../../lib/sql/side-effect-functions.js';
import { positionAt, splitStatements, type SqlStatement } from '../../lib/sql/split.js';
import { classifyStatement, type StatementKind } from '../../lib/sql/statement-kind.js';
import { allCtes, identifierAt, isOp, isWord } from '../../lib/sql/token-syntax.js';
import { tablesFromTokens } from '../../lib/sql/token-tables.js';
import { tokenize, type SqlToken, type Tokenized } from '../../lib/sql/tokens.js';

export interface ExportStatementCheck {
  /** The statement as split from the ticket (no surrounding whitespace, comments or `;`). */
  sql: string;
  /** 1-based position among the ticket's statements. */
  index: number;
  /** 1-based line of the statement's first character in the ticket's SQL. */
  line: number;
  ok: boolean;
  /** Why the statement is refused, naming it: `Statement 2 (line 5): FOR UPDATE locks …`. */
  reason?: string;
  /** Tables the statement reads, schema-qualified when written so; no CTE names. Best effort when `parsed` is false. */
  tables: { schema: string | null; name: string }[];
  /**
   * True when node-sql-parser parsed the statement. False when it could not (or the statement was
   * too long to parse): then only the lexical checks ran, and on an accepted statement it means
   * the lexical fallback accepted it.
   */
  parsed: boolean;
}

/** Longer statements skip the parser (about 0.75 s for 100 KB of SQL) and get the lexical checks only. */
const MAX_PARSE_CHARS = 256 * 1024;

const ONLY_QUERIES = 'An export may only contain read-only queries (SELECT, WITH … SELECT, VALUES or TABLE).';

/** A problem found in one statement: `construct` is what the user wrote, `at` its offset in the statement. */
interface Problem {
  construct: string;
  explanation: string;
  at?: number;
}

export function checkExportSql(sqlText: string, engine: Engine): { statements: ExportStatementCheck[]; ok: boolean } {
  const statements = splitStatements(sqlText, engine).map((s, k) => checkStatement(s, k + 1, engine));
  return { statements, ok: statements.length > 0 && statements.every((s) => s.ok) };
}

function checkStatement(stmt: SqlStatement, index: number, engine: Engine): ExportStatementCheck {
  const lexed = tokenize(stmt.text, engine);
  const { tokens } = lexed;
  const parse = stmt.text.length <= MAX_PARSE_CHARS ? parseStatement(stmt.text, engine) : null;
  const ast = parse?.ok ? parse.ast : null;
  const problem =
    unterminatedProblem(lexed) ??
    executableCommentProblem(tokens) ??
    statementKindProblem(tokens) ??
    (ast ? astStatementProblem(ast) : null) ??
    dmlProblem(tokens, engine, ast === null) ??
    clauseProblem(tokens, engine) ??
    (ast ? astClauseProblem(ast, engine) : null) ??
    (ast ? null : bareKeywordProblem(tokens, engine)) ??
    functionProblem(tokens, engine) ??
    otherReadingProblem(stmt.text, engine);
  // Parsed tables plus the lexical ones: the parser misreads a few FROM lists (PostgreSQL
  // `JOIN b ON x = y, c` drops c), and the MySQL precheck refuses statements reading other databases.
  const tables = uniqueTables([...(parse?.ok ? parse.tables : []), ...tablesFromTokens(tokens, engine)]);
  const check: ExportStatementCheck = { sql: stmt.text, index, line: stmt.line, ok: problem === null, tables, parsed: ast !== null };
  if (problem) check.reason = formatReason(stmt, index, problem);
  return check;
}

function uniqueTables(tables: { schema: string | null; name: string }[]): ExportStatementCheck['tables'] {
  const seen = new Set<string>();
  return tables.flatMap(({ schema, name }) => {
    const key = `${schema ?? ''}\u0000${name}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ schema, name }];
  });
}

function formatReason(stmt: SqlStatement, index: number, p: Problem): string {
  let where = '';
  if (p.at !== undefined) {
    const line = stmt.line + positionAt(stmt.text, p.at).line - 1;
    if (line !== stmt.line) where = ` (line ${line})`;
  }
  return `Statement ${index} (line ${stmt.line}): ${p.construct}${where} ${p.explanation}`;
}

function unterminatedProblem({ unterminated }: Tokenized): Problem | null {
  if (!unterminated) return null;
  const what = { string: 'A string literal', identifier: 'A quoted identifier', comment: 'A comment' }[unterminated.kind];
  return { construct: what, explanation: 'is never closed, so the statement cannot be checked.', at: unterminated.start };
}

function executableCommentProblem(tokens: SqlToken[]): Problem | null {
  const t = tokens.find((x) => x.kind === 'executable-comment');
  if (!t) return null;
  return {
    construct: 'The executable comment /*! … */',
    explanation: 'is run by the server as SQL, so it cannot be checked; remove it or write its content as plain SQL.',
    at: t.start,
  };
}

const KIND_EXPLANATIONS: Record<Exclude<StatementKind, 'query'>, string> = {
  dml: `changes data. ${ONLY_QUERIES}`,
  ddl: `changes the database schema. ${ONLY_QUERIES}`,
  privileges: `changes privileges. ${ONLY_QUERIES}`,
  session: `changes the session (settings, current database or attached databases). ${ONLY_QUERIES}`,
  transaction: 'controls transactions; the export runs each query in its own read-only transaction. ' + ONLY_QUERIES,
  routine: `runs stored or prepared code, which cannot be checked. ${ONLY_QUERIES}`,
  'data-transfer': `moves data between tables and files. ${ONLY_QUERIES}`,
  lock: `takes or releases table locks. ${ONLY_QUERIES}`,
  explain: 'shows a query plan; it is not a query whose result can be exported.',
  'explain-analyze': 'runs the statement it explains (with any change it makes); it is not a query whose result can be exported.',
  show: 'is not a query whose result can be exported; query information_schema or the system catalogs with SELECT instead.',
  maintenance: `is a maintenance command, not a query. ${ONLY_QUERIES}`,
  unknown: `is not a read-only query. ${ONLY_QUERIES}`,
};

function statementKindProblem(tokens: SqlToken[]): Problem | null {
  const c = classifyStatement(tokens);
  if (c.kind === 'query') return null;
  if (c.keyword === null) return { construct: 'The statement', explanation: `does not start with a keyword. ${ONLY_QUERIES}` };
  let construct = c.withClause ? `WITH … ${c.keyword}` : c.keyword;
  if (c.kind === 'explain-analyze') construct = c.keyword === 'ANALYZE' || c.keyword === 'ANALYSE' ? c.keyword : `${c.keyword} ANALYZE`;
  if (c.kind === 'unknown' && c.keyword === 'WITH') {
    return { construct: 'The WITH clause', explanation: 'could not be read (expected WITH name AS (query), … followed by a query).' };
  }
  if (c.kind === 'unknown') construct = `A statement starting with ${c.keyword}`;
  if (c.keyword === 'TRUNCATE') return { construct, explanation: `deletes every row of the table. ${ONLY_QUERIES}` };
  if (c.kind === 'explain' && c.keyword !== 'EXPLAIN') {
    return { construct, explanation: 'describes a table or a query plan; it is not a query whose result can be exported.' };
  }
  return { construct, explanation: KIND_EXPLANATIONS[c.kind] };
}

const DML_TYPES = new Set(['insert', 'update', 'delete', 'replace', 'merge']);

/** The parsed statement is a SELECT with no data-modifying statement inside (PostgreSQL CTEs). */
function astStatementProblem(ast: SqlAst): Problem | null {
  const type = String((ast as unknown as AstNode).type ?? '').toLowerCase();
  if (type !== 'select') return { construct: type.toUpperCase() || 'The statement', explanation: `is not a read-only query. ${ONLY_QUERIES}` };
  let found: Problem | null = null;
  walkAst(ast, (node, ancestors) => {
    const nodeType = typeof node.type === 'string' ? node.type.toLowerCase() : '';
    if (!DML_TYPES.has(nodeType) || !('table' in node)) return false;
    // A CTE is `{ name, stmt, columns }` in the `with` list.
    const cte = [...ancestors].reverse().find((a) => 'stmt' in a && 'name' in a);
    const name = (cte?.name as { value?: unknown } | undefined)?.value;
    found = dmlInQuery(nodeType.toUpperCase(), typeof name === 'string' ? name : null);
    return true;
  });
  return found;
}

/**
 * INTO and row locks as the parser saw them, anywhere in the tree. The lexical `clauseProblem`
 * runs first and words these better; this is the safety net should the two ever disagree.
 */
function astClauseProblem(ast: SqlAst, engine: Engine): Problem | null {
  let found: Problem | null = null;
  walkAst(ast, (node) => {
    const into = node.into as { position?: unknown; keyword?: unknown } | undefined;
    if (into && typeof into === 'object' && into.position != null) {
      const keyword = typeof into.keyword === 'string' ? into.keyword.toLowerCase() : '';
      const kind = keyword === 'outfile' || keyword === 'dumpfile' ? keyword : engine === 'postgresql' && keyword !== 'var' ? 'table' : 'var';
      found = intoProblem(kind, '');
      return true;
    }
    if (typeof node.locking_read === 'string' && node.locking_read !== '') {
      found = rowLockProblem(node.locking_read.toUpperCase());
      return true;
    }
    return false;
  });
  return found;
}

function dmlInQuery(keyword: string, cte: string | null, at?: number): Problem {
  const explanation = `changes data. ${ONLY_QUERIES}`;
  if (cte !== null) {
    return { construct: `The WITH query "${cte}" runs ${keyword}, which`, explanation: `${explanation} (A data-modifying WITH query runs even when its rows are not used.)`, at };
  }
  return { construct: keyword, explanation, at };
}

/**
 * DML that cannot be anything else: `INSERT INTO`, `REPLACE INTO`, `DELETE FROM`, `UPDATE t SET`,
 * `UPDATE ONLY`, `MERGE INTO`, `UPSERT INTO`. With `anyUse` (parser failed), any bare DML keyword.
 * Never after `.` (`t.update` is a column) or `AS` (an alias); REPLACE( and INSERT( are functions.
 */
function dmlProblem(tokens: SqlToken[], engine: Engine, anyUse: boolean): Problem | null {
  const ctes = allCtes(tokens);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || !(DML_TYPES.has(t.value.toLowerCase()) || t.value === 'UPSERT')) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (isOp(prev, '.') || isWord(prev, 'AS') || isOp(next, '(')) continue;
    const unmistakable =
      (isWord(next, 'INTO') && t.value !== 'DELETE' && t.value !== 'UPDATE') ||
      (t.value === 'DELETE' && isWord(next, 'FROM')) ||
      (t.value === 'UPDATE' && (isWord(next, 'ONLY') || isWord(tokens[i + 2], 'SET') || isWord(tokens[i + 4], 'SET')));
    if (!unmistakable && !anyUse) continue;
    if (isWord(prev, 'FOR', 'KEY') || isWord(prev, 'ON')) continue; // FOR UPDATE (row lock, below); ON UPDATE/DELETE (DDL)
    if (isWord(prev, 'DUPLICATE') || (isWord(prev, 'KEY') && isWord(tokens[i - 2], 'DUPLICATE'))) continue;
    const cte = ctes.filter((c) => c.bodyStart <= i && i < c.bodyEnd).sort((a, b) => a.bodyEnd - a.bodyStart - (b.bodyEnd - b.bodyStart))[0];
    const p = dmlInQuery(t.value, cte?.name ?? null, t.start);
    if (!unmistakable) p.explanation += fallbackHint(t.value, engine);
    return p;
  }
  return null;
}

/** Row locks (FOR UPDATE / SHARE / NO KEY UPDATE / KEY SHARE, LOCK IN SHARE MODE) and SELECT … INTO. */
function clauseProblem(tokens: SqlToken[], engine: Engine): Problem | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word') continue;
    if (t.value === 'FOR') {
      let j = i + 1;
      if (isWord(tokens[j], 'NO') && isWord(tokens[j + 1], 'KEY')) j += 2;
      else if (isWord(tokens[j], 'KEY')) j++;
      if (!isWord(tokens[j], 'UPDATE', 'SHARE')) continue;
      const words = tokens.slice(i, j + 1).map((x) => x.value);
      if (isWord(tokens[j + 1], 'NOWAIT')) words.push('NOWAIT');
      else if (isWord(tokens[j + 1], 'SKIP') && isWord(tokens[j + 2], 'LOCKED')) words.push('SKIP LOCKED');
      return { ...rowLockProblem(words.join(' ')), at: t.start };
    }
    if (t.value === 'LOCK' && isWord(tokens[i + 1], 'IN') && isWord(tokens[i + 2], 'SHARE') && isWord(tokens[i + 3], 'MODE')) {
      return { ...rowLockProblem('LOCK IN SHARE MODE'), at: t.start };
    }
    if (t.value === 'INTO' && !isOp(tokens[i - 1], '.')) {
      const next = tokens[i + 1];
      const kind = isWord(next, 'OUTFILE')
        ? 'outfile'
        : isWord(next, 'DUMPFILE')
          ? 'dumpfile'
          : next?.kind === 'param' || engine !== 'postgresql'
            ? 'var'
            : 'table';
      return { ...intoProblem(kind, intoTarget(tokens, i + 1)), at: t.start };
    }
  }
  return null;
}

/** `@v`, `newtable`, `TEMP newtable`: what follows INTO, for the message. */
function intoTarget(tokens: SqlToken[], j: number): string {
  const words: string[] = [];
  while (isWord(tokens[j], 'TEMP', 'TEMPORARY', 'UNLOGGED', 'TABLE')) words.push(tokens[j++]!.value);
  const t = tokens[j];
  if (t && t.kind !== 'op') words.push(t.text);
  return words.join(' ');
}

function rowLockProblem(clause: string): Problem {
  return {
    construct: clause,
    explanation: 'locks the rows it reads, so other sessions would wait for the export; remove the locking clause (an export only reads).',
  };
}

function intoProblem(kind: 'outfile' | 'dumpfile' | 'var' | 'table', target: string): Problem {
  switch (kind) {
    case 'outfile':
    case 'dumpfile':
      return {
        construct: `SELECT … INTO ${kind.toUpperCase()}`,
        explanation: 'writes a file on the database server; remove the INTO clause (the export writes the file itself).',
      };
    case 'var':
      return {
        construct: `SELECT … INTO ${target || 'a variable'}`,
        explanation: 'stores the result in variables instead of returning rows; remove the INTO clause.',
      };
    case 'table':
      return {
        construct: `SELECT … INTO ${target || 'a table'}`,
        explanation: 'creates a table from the result instead of returning rows; remove the INTO clause.',
      };
  }
}

/** Reasons for bare words when the statement could not be parsed (so words are all we know). */
const BARE_KEYWORDS: Record<string, string> = {
  CREATE: 'changes the database schema',
  DROP: 'changes the database schema',
  ALTER: 'changes the database schema',
  TRUNCATE: 'deletes all rows of a table',
  GRANT: 'changes privileges',
  REVOKE: 'changes privileges',
  LOCK: 'takes table locks',
  CALL: 'runs a stored procedure',
  COPY: 'copies data between tables and files',
  EXECUTE: 'runs a prepared statement or dynamic SQL',
};

function bareKeywordProblem(tokens: SqlToken[], engine: Engine): Problem | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const reason = t.kind === 'word' ? BARE_KEYWORDS[t.value] : undefined;
    if (!reason || isOp(tokens[i - 1], '.') || isWord(tokens[i - 1], 'AS')) continue;
    return { construct: `The keyword ${t.value}`, explanation: `${reason}. ${ONLY_QUERIES}${fallbackHint(t.value, engine)}`, at: t.start };
  }
  return null;
}

function fallbackHint(keyword: string, engine: Engine): string {
  const q = engine === 'mysql' || engine === 'mariadb' ? '`' : '"';
  const word = keyword.toLowerCase();
  return ` (The statement could not be parsed, so only its words were checked: if ${keyword} is a column or alias name here, quote it as ${q}${word}${q}.)`;
}

/**
 * Whether `\'` ends a string depends on a server setting: MySQL/MariaDB escape with `\` unless the
 * sql_mode has NO_BACKSLASH_ESCAPES; PostgreSQL does not unless standard_conforming_strings is off.
 * The checks above assume the default. Row locks, INTO and the deny-listed functions are not all
 * stopped by a READ ONLY transaction (MySQL and MariaDB allow INTO OUTFILE and GET_LOCK in one,
 * PostgreSQL allows pg_terminate_backend), so they are also looked for in the other reading, as the
 * MySQL connector's INTO OUTFILE guard does. Only statements with a backslash can differ.
 */
function otherReadingProblem(sql: string, engine: Engine): Problem | null {
  if (engine === 'sqlite' || !sql.includes('\\')) return null;
  const mysql = engine !== 'postgresql';
  const { tokens } = tokenize(sql, engine, { backslashEscapes: !mysql });
  const p = executableCommentProblem(tokens) ?? clauseProblem(tokens, engine) ?? functionProblem(tokens, engine);
  if (p) {
    p.explanation += mysql
      ? " (Found when \\ is read as an ordinary character, as the server does in NO_BACKSLASH_ESCAPES mode; write '' instead of \\' in strings.)"
      : " (Found when \\ escapes a quote, as the server does with standard_conforming_strings off; write '' instead of \\' in strings.)";
  }
  return p;
}

/** A deny-listed function called anywhere: `name(`, `schema.name(`, `"name"(`, `U&"\0070g_…"(`. */
function functionProblem(tokens: SqlToken[], engine: Engine): Problem | null {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    const id = identifierAt(tokens, i);
    if (!id || !isOp(tokens[id.next], '(')) continue;
    const name = id.name;
    const reason = sideEffectFunctionReason(name, engine);
    if (reason) {
      return {
        construct: `${name.toLowerCase()}()`,
        explanation: `${reason}; functions that act outside the query are not allowed in an export.`,
        at: t.start,
      };
    }
  }
  return null;
}
