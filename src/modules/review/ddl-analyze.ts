/**
 * Reads a schema-design script into `AnalyzedDdl`s (ddl-types.ts), one per statement: split (with
 * lines), read by the token reader (ddl-token-reader.ts), then, where node-sql-parser parses the
 * statement, by the AST reader (ddl-ast-reader.ts), whose structure wins and which takes the text
 * kept as written (types, defaults, option values) from the token reader. Where the parser has a
 * gap (README.md lists the DDL forms per dialect), the token reader's result stands and `parsed`
 * is false.
 *
 * MariaDB: a statement the MariaDB grammar refuses is retried with the MySQL grammar (as
 * analyze.ts does), which has fewer DDL gaps (e.g. ADD CONSTRAINT, ADD UNIQUE).
 */
import type { Engine } from '../../connectors/connector.js';
import type { AstNode } from '../../lib/sql/ast-walk.js';
import { parseStatement, type ParseResult } from '../../lib/sql/parse.js';
import { splitStatements } from '../../lib/sql/split.js';
import { tokenize } from '../../lib/sql/tokens.js';
import { MAX_PARSE_CHARS } from './analyze.js';
import { readDdlAst } from './ddl-ast-reader.js';
import { readDdlTokens, type DdlRead } from './ddl-token-reader.js';
import type { AnalyzedDdl } from './ddl-types.js';

export function analyzeDdl(sql: string, engine: Engine): AnalyzedDdl[] {
  return splitStatements(sql, engine).map((s, k) => analyzeDdlStatement(s.text, engine, k + 1, s.line));
}

/** One statement (already split); `index` and `line` are its position in the script. */
export function analyzeDdlStatement(sql: string, engine: Engine, index = 1, line = 1): AnalyzedDdl {
  const { read, parse } = readDdl(sql, engine);
  return {
    index,
    line,
    sql,
    ...read,
    parsed: parse?.ok === true,
    parseError: parse === null ? `longer than ${MAX_PARSE_CHARS} characters` : parse.ok ? null : parse.message,
  };
}

/** The reading and how it was made (`source`: which reader's result it is); exported for the tests. */
export function readDdl(sql: string, engine: Engine): { read: DdlRead; source: 'ast' | 'tokens'; parse: ParseResult | null } {
  // MySQL executable comments (`/*!50100 PARTITION BY … */`) are left out: their content is not read.
  const tokens = tokenize(sql, engine).tokens.filter((t) => t.kind !== 'executable-comment');
  const tok = readDdlTokens(tokens, sql, engine);
  const parse = sql.length <= MAX_PARSE_CHARS ? parseDdl(sql, engine) : null;
  if (!parse?.ok || tok.kind === 'OTHER') return { read: tok, source: 'tokens', parse };
  const ast = readDdlAst(parse.ast as unknown as AstNode, tok, tokens, engine);
  return ast ? { read: ast, source: 'ast', parse } : { read: tok, source: 'tokens', parse };
}

function parseDdl(sql: string, engine: Engine): ParseResult {
  const r = parseStatement(sql, engine);
  if (r.ok || engine !== 'mariadb') return r;
  const mysql = parseStatement(sql, 'mysql');
  return mysql.ok ? mysql : r;
}
