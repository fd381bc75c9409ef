/**
 * What the review can still tell from tokens when node-sql-parser cannot parse a statement (PG
 * `DELETE … USING`, `UPDATE … SET (a, b) = …`, `WHERE CURRENT OF`, long statements, …): the
 * target table, WHERE / ORDER BY / LIMIT at the top level, a narrow always-true check, the SET
 * columns and the INSERT column list. Best effort by design; the engine reports a `parse-fallback`
 * notice so nobody mistakes the result for a full review.
 */
import type { Engine } from '../../connectors/connector.js';
import { isOp, isWord, readQualifiedName } from '../../lib/sql/token-syntax.js';
import { tableNamePart, tablesFromTokens } from '../../lib/sql/token-tables.js';
import type { SqlToken } from '../../lib/sql/tokens.js';
import type { AnalyzedStatement, DmlKind, TableRef } from './types.js';
import { tokensAlwaysTrue } from './where.js';
import { sameTable, uniqueRefs } from './table-refs.js';

type Facts = Pick<
  AnalyzedStatement,
  'targets' | 'reads' | 'hasWhere' | 'whereAlwaysTrue' | 'hasLimit' | 'hasOrderBy' | 'assignedColumns' | 'insertColumnList' | 'insertReads'
>;

const MODIFIERS = new Set(['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'QUICK', 'IGNORE', 'ONLY', 'OR', 'REPLACE', 'ROLLBACK', 'ABORT', 'FAIL', 'INTO']);
/** Words that end a WHERE clause at the top level. */
const AFTER_WHERE = new Set(['ORDER', 'LIMIT', 'RETURNING', 'OFFSET', 'FETCH']);
const AFTER_SET = new Set(['WHERE', 'FROM', 'ORDER', 'LIMIT', 'RETURNING']);

/** `lead` is the index of the statement's leading keyword (after any WITH list). */
export function factsFromTokens(tokens: SqlToken[], lead: number, kind: DmlKind, engine: Engine): Facts {
  // Top-level positions, relative to the main statement (WITH bodies and subqueries are skipped).
  const top: number[] = [];
  let depth = 0;
  for (let i = lead; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) depth++;
    else if (isOp(tokens[i], ')')) depth--;
    else if (depth === 0) top.push(i);
  }
  const find = (pred: (t: SqlToken, i: number) => boolean, from = lead): number => top.find((i) => i >= from && pred(tokens[i]!, i)) ?? -1;

  const target = targetOf(tokens, lead, kind, engine, find);
  const targets = target ? [target] : [];
  const fromTokens = uniqueRefs([...tablesFromTokens(tokens, engine), ...(kind === 'DELETE' ? usingTables(tokens, find, engine) : [])]);
  const facts: Facts = {
    targets,
    reads: fromTokens.filter((t) => kind === 'INSERT' || kind === 'REPLACE' || !targets.some((x) => sameTable(x, t))),
    hasWhere: null,
    whereAlwaysTrue: null,
    hasLimit: null,
    hasOrderBy: null,
    assignedColumns: null,
    insertColumnList: null,
    insertReads: [],
  };
  if (kind === 'INSERT' || kind === 'REPLACE') {
    facts.insertReads = fromTokens;
    if (target) {
      const after = tokens[afterTargetName(tokens, lead)];
      facts.insertColumnList = isWord(after, 'SET') || (isOp(after, '(') && !isWord(tokens[afterTargetName(tokens, lead) + 1], 'SELECT', 'WITH', 'VALUES'));
    }
    return facts;
  }
  if (kind !== 'UPDATE' && kind !== 'DELETE') return facts;
  const where = find((t) => isWord(t, 'WHERE'));
  facts.hasWhere = where >= 0;
  if (where >= 0) {
    const end = find((t) => t.kind === 'word' && AFTER_WHERE.has(t.value), where + 1);
    facts.whereAlwaysTrue = tokensAlwaysTrue(tokens.slice(where + 1, end < 0 ? tokens.length : end));
  } else {
    facts.whereAlwaysTrue = false;
  }
  facts.hasLimit = find((t) => isWord(t, 'LIMIT')) >= 0;
  facts.hasOrderBy = find((t, i) => isWord(t, 'ORDER') && isWord(tokens[i + 1], 'BY')) >= 0;
  if (kind === 'UPDATE' && target) facts.assignedColumns = setColumns(tokens, top, find((t) => isWord(t, 'SET')), targets, engine);
  return facts;
}

function afterTargetName(tokens: SqlToken[], lead: number): number {
  let j = lead + 1;
  while (isWord(tokens[j], ...MODIFIERS)) j++;
  return readQualifiedName(tokens, j)?.next ?? j;
}

function refOf(parts: SqlToken[], engine: Engine): TableRef {
  const names = parts.map((p) => tableNamePart(p, engine));
  return { schema: names.length > 1 ? names.slice(0, -1).join('.') : null, name: names[names.length - 1]! };
}

function targetOf(tokens: SqlToken[], lead: number, kind: DmlKind, engine: Engine, find: (p: (t: SqlToken) => boolean) => number): TableRef | null {
  let j = lead + 1;
  if (kind === 'DELETE') {
    // `DELETE [mods] FROM t …`; MySQL multi-table `DELETE t1 FROM t1 JOIN …`: the first table after FROM.
    const from = find((t) => isWord(t, 'FROM'));
    if (from < 0) return null;
    j = from + 1;
    while (isWord(tokens[j], 'ONLY')) j++;
  } else {
    while (isWord(tokens[j], ...MODIFIERS)) j++;
  }
  const name = readQualifiedName(tokens, j);
  return name ? refOf(name.parts, engine) : null;
}

/** `SET a = …, t.b = …` at the top level: each column, on the target its qualifier names (else the first). */
function setColumns(tokens: SqlToken[], top: number[], set: number, targets: TableRef[], engine: Engine): AnalyzedStatement['assignedColumns'] {
  if (set < 0) return null;
  const out: { table: TableRef; column: string }[] = [];
  const topSet = new Set(top);
  let expectColumn = true;
  for (let i = set + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!topSet.has(i)) continue;
    if (t.kind === 'word' && AFTER_SET.has(t.value)) break;
    if (isOp(t, ',')) {
      expectColumn = true;
      continue;
    }
    if (!expectColumn) continue;
    expectColumn = false;
    const name = readQualifiedName(tokens, i);
    if (!name || !isOp(tokens[name.next], '=')) return null; // `SET (a, b) = …`: not read here
    const parts = name.parts.map((p) => tableNamePart(p, engine));
    const qualifier = parts.length > 1 ? parts[parts.length - 2]! : null;
    const table = (qualifier && targets.find((x) => x.name.toLowerCase() === qualifier.toLowerCase())) || targets[0]!;
    out.push({ table, column: parts[parts.length - 1]! });
    i = name.next - 1;
  }
  return out;
}

/** PostgreSQL `DELETE FROM t USING a, b WHERE …` (a grammar gap of the parser): the USING list. */
function usingTables(tokens: SqlToken[], find: (p: (t: SqlToken) => boolean) => number, engine: Engine): TableRef[] {
  const using = find((t) => isWord(t, 'USING'));
  if (using < 0) return [];
  const out: TableRef[] = [];
  let j = using + 1;
  for (;;) {
    const name = readQualifiedName(tokens, j);
    if (!name || isWord(name.parts[0], 'WHERE') || isOp(tokens[name.next], '(')) break; // a table function: stop
    out.push(refOf(name.parts, engine));
    j = name.next;
    while (j < tokens.length && !isOp(tokens[j], ',') && !isWord(tokens[j], 'WHERE', 'RETURNING')) j++; // alias
    if (!isOp(tokens[j], ',')) break;
    j++;
  }
  return out;
}
