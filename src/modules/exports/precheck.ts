import type { Insertable } from 'kysely';
import type { Connector, TableInfo } from '../../connectors/index.js';
import type { Deps } from '../context.js';
import { inTransaction } from '../context.js';
import { resolveActor } from '../identity/authentication.js';
import { withConnector } from '../instances/connections.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { recordEvent } from '../tickets/events.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import type { DataExportParams } from '../tickets/types/data-export.type.js';
import type { ExportPrecheckSqlTable } from './export.table.js';
import * as repo from './export.repository.js';
import { checkExportSql } from './read-only-check.js';

/**
 * The precheck of a DATA_EXPORT ticket (background job `export-precheck`, started when the ticket
 * is filed): for every member database of the target and every statement,
 * 1. the statement is a single read-only query (read-only-check.ts, in the engine's dialect);
 * 2. the engine accepts it (a missing table is named as such) and estimates its rows: the planner's estimate (PostgreSQL, MySQL,
 *    MariaDB EXPLAIN, which also proves the statement parses in the engine), else an exact count
 *    within COUNT_BUDGET_MS (SQLite, whose planner gives no row estimate);
 * 3. on MySQL/MariaDB, it reads no other database of the server than the ticket's;
 * 4. unless `ignoreAffectRows`, the total stays within the committer's `affectRows`.
 * The outcome (PRE_CHECK_SUCCESS or PRE_CHECK_FAIL with the first reason, naming the statement)
 * and the per-statement rows are stored; SubmitOrderApproval needs a successful precheck, and the
 * estimate feeds the approval routing rules.
 */

/** How long an exact count may take before the precheck settles for "unknown rows". */
export const COUNT_BUDGET_MS = 5_000;

interface StatementResult {
  row: Insertable<ExportPrecheckSqlTable>;
  failure: string | null;
}

/** Runs one precheck; a precheck already settled (a duplicate job) is left alone. */
export async function runPrecheck(deps: Deps, precheckId: number): Promise<void> {
  const precheck = await repo.findPrecheck(deps.db, precheckId);
  if (!precheck || precheck.status !== 'PRE_CHECKING') return;
  const ticket = await ticketRepo.findTicket(deps.db, precheck.tenant_id, precheck.ticket_id);
  if (!ticket) return;
  const params = JSON.parse(ticket.params) as DataExportParams;
  if (ticket.status === 'closed') {
    // Closed before its precheck ran: nothing to check for anybody.
    await repo.finishPrecheck(deps.db, precheckId, { status: 'PRE_CHECK_FAIL', message: 'the ticket was closed before its precheck ran', estimatedRows: null }, deps.now());
    return;
  }

  const results: StatementResult[] = [];
  let failure: string | null = null;
  try {
    const committer = await resolveActor(deps, ticket.committer_id, ticket.tenant_id);
    const target = await resolveTargetDatabase(deps, committer, params.dbId, params.logic);
    for (const member of target.members) {
      results.push(...(await checkOnMember(deps, member, params.exeSQL, precheckId)));
    }
    failure = results.find((r) => r.failure !== null)?.failure ?? null;
  } catch (e) {
    failure = `The precheck could not run: ${(e as Error).message}`;
  }

  const estimate = results.every((r) => r.row.affect_rows !== null) ? results.reduce((sum, r) => sum + Number(r.row.affect_rows), 0) : null;
  if (failure === null && !params.ignoreAffectRows && params.affectRows !== undefined && estimate !== null && estimate > params.affectRows) {
    failure = `The query returns about ${estimate} rows, more than the ${params.affectRows} declared in affectRows: raise affectRows, or set ignoreAffectRows with a reason.`;
  }
  const status = failure === null ? 'PRE_CHECK_SUCCESS' : 'PRE_CHECK_FAIL';
  await inTransaction(deps, async (tx) => {
    if (!(await repo.finishPrecheck(tx.db, precheckId, { status, message: failure, estimatedRows: estimate }, tx.now()))) return;
    await repo.replacePrecheckSql(tx.db, precheckId, results.map((r) => r.row));
    await recordEvent(tx, {
      ticketId: ticket.id,
      tenantId: ticket.tenant_id,
      actor: null,
      action: status === 'PRE_CHECK_SUCCESS' ? 'PRECHECK_SUCCESS' : 'PRECHECK_FAIL',
      fromStatus: ticket.status,
      toStatus: ticket.status,
      comment: failure ?? (estimate === null ? 'passed; row count unknown' : `passed; about ${estimate} rows`),
    });
  });
}

async function checkOnMember(deps: Deps, member: TargetDatabase, sqlText: string, precheckId: number): Promise<StatementResult[]> {
  const check = checkExportSql(sqlText, member.engine);
  const base = (position: number, sql: string) => ({ precheck_id: precheckId, position, db_id: member.dbId, sql, affect_rows: null, exact: 0 });
  if (check.statements.length === 0) {
    return [{ row: { ...base(1, sqlText), ok: 0, message: 'no statement' }, failure: 'The ticket contains no SQL statement to export.' }];
  }
  const refused = check.statements.filter((s) => !s.ok);
  if (refused.length > 0) {
    return check.statements.map((s) => ({
      row: { ...base(s.index, s.sql), ok: s.ok ? 1 : 0, message: s.reason ?? null },
      // The reason names the statement already ("Statement 2 (line 5): DELETE …"); add the database.
      failure: s.ok ? null : `Statement ${s.index} (line ${s.line}) on ${member.searchName}: ${(s.reason ?? '').replace(/^Statement \d+ \(line \d+\): /, '')}`,
    }));
  }
  return withConnector(deps, member.spec, async (connector) => {
    const out: StatementResult[] = [];
    for (const s of check.statements) {
      const where = `Statement ${s.index} (line ${s.line}) on ${member.searchName}`;
      const foreign = foreignDatabases(member, s.tables);
      if (foreign.length > 0) {
        const reason = `it reads database ${foreign.join(', ')}, but the ticket is for ${member.schemaName}; file a ticket on that database instead`;
        out.push({ row: { ...base(s.index, s.sql), ok: 0, message: reason }, failure: `${where}: ${reason}.` });
        continue;
      }
      try {
        const estimate = await estimateRows(connector, databaseName(member), s.sql);
        out.push({ row: { ...base(s.index, s.sql), ok: 1, message: null, affect_rows: estimate?.rows ?? null, exact: estimate?.exact ? 1 : 0 }, failure: null });
      } catch (e) {
        // The engine refused it. Name a missing table plainly when that is the likely cause.
        const missing = s.parsed ? await missingTables(connector, member, s.tables) : [];
        const reason = missing.length > 0 ? `table ${missing.join(', ')} does not exist (${(e as Error).message})` : `the database refused it: ${(e as Error).message}`;
        out.push({ row: { ...base(s.index, s.sql), ok: 0, message: reason }, failure: `${where}: ${reason}.` });
      }
    }
    return out;
  });
}

/**
 * MySQL and MariaDB reach every database of the server through one login (`otherdb.t`): a ticket
 * approved for one database must not read another. (A PostgreSQL session is bound to its
 * database; schemas inside it belong to the ticket's database. SQLite has one file.)
 */
function foreignDatabases(member: TargetDatabase, tables: readonly { schema: string | null }[]): string[] {
  if (member.engine !== 'mysql' && member.engine !== 'mariadb') return [];
  const own = member.schemaName.toLowerCase();
  return [...new Set(tables.flatMap((t) => (t.schema && t.schema.toLowerCase() !== own ? [t.schema] : [])))];
}

/** The database a connector call names: the schema (MySQL) or database (PostgreSQL); SQLite `main`. */
export function databaseName(member: TargetDatabase): string {
  return member.engine === 'sqlite' ? 'main' : member.schemaName;
}

async function estimateRows(connector: Connector, database: string, sql: string) {
  return (await connector.explainRows(database, sql)) ?? (await connector.countRows(database, sql, COUNT_BUDGET_MS));
}

/**
 * The tables of `wanted` that the database does not list (names compared case-insensitively;
 * unqualified names match in any schema, since PostgreSQL resolves them by search_path). Only
 * asked after the engine refused a statement: the engine itself is the authority on what exists
 * (system views, other MySQL databases), the listing only words the message.
 */
async function missingTables(connector: Connector, member: TargetDatabase, wanted: readonly { schema: string | null; name: string }[]): Promise<string[]> {
  let tables: TableInfo[];
  try {
    tables = await connector.listTables(databaseName(member));
  } catch {
    return [];
  }
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return wanted
    .filter((t) => !tables.some((x) => same(x.name, t.name) && (!t.schema || member.engine === 'sqlite' || same(x.schema, t.schema))))
    .map((t) => (t.schema ? `${t.schema}.${t.name}` : t.name));
}
