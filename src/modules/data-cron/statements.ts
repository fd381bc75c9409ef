/**
 * The DELETE a cleanup run executes for one item on one database:
 *
 *   DELETE FROM <table> WHERE <column> < <cutoff> [AND (<filter>)]
 *
 * cutoff = the run's start − RemainDays days: a date/time literal in the service's time zone
 * (sql-literal.ts `timestampLiteral`), or with TimeUnit the epoch number in seconds or
 * milliseconds. The chunk runner runs it in key-ordered batches (chunk-plan.ts). The precheck
 * shows the same text with the cutoff written symbolically.
 */
import type { Engine } from '../../connectors/index.js';
import { timestampLiteral } from '../../connectors/sql-literal.js';
import { isOp } from '../../lib/sql/token-syntax.js';
import { sideEffectFunctionReason } from '../../lib/sql/side-effect-functions.js';
import { tokenize } from '../../lib/sql/tokens.js';
import { quoteIdentifier, type SqlDialect } from '../exports/formats/sql.js';
import type { CronClearItem } from '../tickets/types/dc-cron-clear.type.js';

const DAY_MS = 86_400_000;

const dialectOf = (engine: Engine): SqlDialect => (engine === 'mysql' || engine === 'mariadb' ? 'mysql' : engine);

/** `t` or `schema.t` as the engine quotes it. */
export function tableSql(engine: Engine, tableName: string): string {
  return tableName
    .split('.')
    .map((part) => quoteIdentifier(dialectOf(engine), part.trim()))
    .join('.');
}

/** `where a = 1` or `a = 1` → `a = 1`; blank (or only `where`) → null. */
export function filterCondition(filterSql: string | undefined): string | null {
  const text = (filterSql ?? '').trim().replace(/^where(?![\w$])/i, '').trim();
  return text === '' ? null : text;
}

/** Words that make a condition more than a condition. */
const REFUSED_WORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE', 'UPSERT', 'DROP', 'ALTER', 'CREATE', 'TRUNCATE', 'GRANT', 'REVOKE', 'CALL', 'EXEC', 'EXECUTE', 'INTO', 'LOCK', 'HANDLER', 'LOAD', 'COPY', 'ATTACH', 'DETACH', 'PRAGMA', 'VACUUM', 'SET', 'DO']);

/**
 * Why the filter is not a plain condition for this engine (a statement separator, a write, a
 * locking read, a function with side effects, an unclosed string); null when it is one. Whether
 * it parses is the engine's to say (the precheck counts the rows with it).
 */
export function filterProblem(condition: string, engine: Engine): string | null {
  const { tokens, unterminated } = tokenize(condition, engine);
  if (unterminated) return `it has an unterminated ${unterminated.kind}`;
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'executable-comment') return 'it holds an executable comment (/*! … */)';
    if (isOp(t, ';')) return 'it holds a statement separator (;): give one condition';
    if (isOp(t, '(')) depth++;
    if (isOp(t, ')') && --depth < 0) return 'its parentheses do not match';
    if (t.kind !== 'word') continue;
    if (REFUSED_WORDS.has(t.value)) return `${t.value} is not allowed in a condition: the filter only selects rows`;
    if (t.value === 'FOR' && tokens[k + 1]?.kind === 'word' && ['UPDATE', 'SHARE'].includes(tokens[k + 1]!.value)) return 'a locking read is not allowed in the filter';
    if (isOp(tokens[k + 1], '(')) {
      const reason = sideEffectFunctionReason(t.text, engine);
      if (reason) return `function ${t.text} is not allowed: it ${reason}`;
    }
  }
  if (depth !== 0) return 'its parentheses do not match';
  return null;
}

/** Where the rows the item deletes are: the column compared with a cutoff, and the filter. */
function whereClause(engine: Engine, item: CronClearItem, cutoff: string): string {
  const filter = filterCondition(item.filterSQL);
  return `${quoteIdentifier(dialectOf(engine), item.columnName)} < ${cutoff}${filter ? ` AND (${filter})` : ''}`;
}

/** The cutoff of a run that starts at `runStart`, as a literal of the engine. */
export function cutoffLiteral(engine: Engine, item: CronClearItem, runStart: number, timeZone: string): string {
  const cutoff = runStart - item.remainDays * DAY_MS;
  if (item.timeUnit === 'SECONDS') return String(Math.floor(cutoff / 1000));
  if (item.timeUnit === 'MILLISECONDS') return String(cutoff);
  return timestampLiteral(engine, cutoff, timeZone);
}

/** The cutoff as the precheck shows it: `:cutoff` with a comment saying what it stands for. */
export function symbolicCutoff(item: CronClearItem): string {
  const unit = item.timeUnit ? `, in ${item.timeUnit.toLowerCase()} since 1970-01-01 UTC` : '';
  return `:cutoff /* run start - ${item.remainDays} day(s)${unit} */`;
}

export function deleteStatement(engine: Engine, item: CronClearItem, cutoff: string): string {
  return `DELETE FROM ${tableSql(engine, item.tableName)} WHERE ${whereClause(engine, item, cutoff)}`;
}

/** The SELECT of the rows the DELETE would remove (the precheck counts it). */
export function expiredRowsQuery(engine: Engine, item: CronClearItem, cutoff: string): string {
  return `SELECT 1 FROM ${tableSql(engine, item.tableName)} WHERE ${whereClause(engine, item, cutoff)}`;
}
