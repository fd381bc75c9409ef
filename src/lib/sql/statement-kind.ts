/**
 * What kind of statement a token list is, from its leading keyword alone (see `leadingKeyword`):
 * enough to accept or refuse a statement per ticket type without a parser, and to word the refusal.
 */
import type { SqlToken } from './tokens.js';
import { isOp, isWord, leadingKeyword } from './token-syntax.js';

export type StatementKind =
  /** SELECT, VALUES, TABLE, WITH … SELECT. */
  | 'query'
  /** INSERT, UPDATE, DELETE, REPLACE, MERGE, UPSERT (also after WITH). */
  | 'dml'
  /** CREATE, DROP, ALTER, TRUNCATE, RENAME, COMMENT. */
  | 'ddl'
  | 'privileges'
  /** SET, RESET, USE, PRAGMA, ATTACH, DETACH, DISCARD. */
  | 'session'
  | 'transaction'
  /** CALL, DO, EXECUTE, PREPARE, DEALLOCATE: runs stored or prepared code. */
  | 'routine'
  /** LOAD, COPY, HANDLER, IMPORT: moves data between tables and files or bypasses SQL. */
  | 'data-transfer'
  | 'lock'
  | 'explain'
  /** EXPLAIN ANALYZE and MariaDB's ANALYZE <statement>: run the statement they explain. */
  | 'explain-analyze'
  | 'show'
  /** VACUUM, ANALYZE, OPTIMIZE, FLUSH, KILL, NOTIFY, …: server or table maintenance. */
  | 'maintenance'
  | 'unknown';

export interface StatementClass {
  kind: StatementKind;
  /** The leading keyword, upper case (`WITH` is skipped: `WITH … DELETE` gives DELETE); null when none. */
  keyword: string | null;
  /** True when a WITH clause came before `keyword`. */
  withClause: boolean;
}

const KINDS: Record<string, StatementKind> = {};
const add = (kind: StatementKind, words: string): void => {
  for (const w of words.split(' ')) KINDS[w] = kind;
};
add('query', 'SELECT VALUES TABLE');
add('dml', 'INSERT UPDATE DELETE REPLACE MERGE UPSERT');
add('ddl', 'CREATE DROP ALTER TRUNCATE RENAME COMMENT SECURITY');
add('privileges', 'GRANT REVOKE');
add('session', 'SET RESET USE PRAGMA ATTACH DETACH DISCARD');
add('transaction', 'BEGIN START COMMIT ROLLBACK SAVEPOINT RELEASE END ABORT XA');
add('routine', 'CALL DO EXECUTE EXEC PREPARE DEALLOCATE DECLARE FETCH MOVE CLOSE OPEN');
add('data-transfer', 'LOAD COPY HANDLER IMPORT BACKUP RESTORE');
add('lock', 'LOCK UNLOCK');
add('explain', 'EXPLAIN DESCRIBE DESC');
add('show', 'SHOW HELP');
add(
  'maintenance',
  'VACUUM ANALYZE ANALYSE REINDEX CLUSTER REFRESH CHECKPOINT OPTIMIZE REPAIR CHECK CHECKSUM FLUSH KILL PURGE ' +
    'LISTEN NOTIFY UNLISTEN INSTALL UNINSTALL SHUTDOWN RESTART BINLOG CACHE CHANGE',
);

const EXPLAINABLE = new Set(['SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE', 'VALUES', 'TABLE']);

export function classifyStatement(tokens: SqlToken[]): StatementClass {
  const lead = leadingKeyword(tokens);
  const keyword = lead.keyword;
  let kind: StatementKind = keyword ? (KINDS[keyword] ?? 'unknown') : 'unknown';
  if (kind === 'explain' && explainRuns(tokens, lead.index + 1)) kind = 'explain-analyze';
  // MariaDB `ANALYZE SELECT …` runs the statement; elsewhere ANALYZE rebuilds statistics.
  if ((keyword === 'ANALYZE' || keyword === 'ANALYSE') && isWord(tokens[lead.index + 1], ...EXPLAINABLE)) {
    kind = 'explain-analyze';
  }
  return { kind, keyword, withClause: lead.withClause };
}

/** EXPLAIN ANALYZE, EXPLAIN (ANALYZE[, …]), EXPLAIN (ANALYZE true): before the explained statement. */
function explainRuns(tokens: SqlToken[], from: number): boolean {
  for (let j = from; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind === 'word' && EXPLAINABLE.has(t.value)) return false;
    if (isWord(t, 'ANALYZE', 'ANALYSE')) {
      const next = tokens[j + 1];
      return !(isWord(next, 'FALSE', 'OFF') || (next?.kind === 'number' && next.text === '0'));
    }
    if (isOp(t, ';')) return false;
  }
  return false;
}
