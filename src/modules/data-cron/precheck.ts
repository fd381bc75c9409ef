/**
 * The precheck of a DC_CRON_CLEAR ticket (job `dc-precheck`, dispatched by the ticket's type), in
 * the data-change precheck rows, so GetDataCorrectOrderDetail shows its steps:
 * 1. SQL_PARSE: CronFormat parses and fires; each FilterSQL is one condition (`where …` or bare)
 *    without writes, locking reads, side-effect functions or statement separators, and the DELETE
 *    each item generates parses in the dialect of each target (PostgreSQL: or its EXPLAIN accepts it).
 * 2. SQL_TYPE_CHECK: on every physical database each table exists and has a primary key or a
 *    unique NOT NULL key (the batches walk it), the column exists and holds dates/times, or
 *    numbers when TimeUnit is given.
 * 3. PERMISSION_CHECK: the committer may still file a ticket on every database (the filing rule).
 * 4. ROW_CHECK: the rows expired now, per item and database (counted within a time budget, else
 *    the planner's estimate: row-estimate.ts); fails only when the database refuses the query.
 * 5. SQL_REVIEW: the review rules are for hand-written changes; not applied to generated DELETEs.
 * One dc_precheck_sql row per item and physical database: the DELETE a run executes, with its
 * cutoff written symbolically. Nothing is written to the target.
 */
import type { Insertable } from 'kysely';
import type { ColumnInfo, Engine } from '../../connectors/index.js';
import { formatDmsTime } from '../../lib/time.js';
import { CronSyntaxError } from '../../lib/quartz-cron.js';
import { parseStatement } from '../../lib/sql/parse.js';
import type { Deps } from '../context.js';
import { resolveActor } from '../identity/authentication.js';
import { withConnector } from '../instances/connections.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { assertMayFile } from '../tickets/tickets.js';
import type { CronClearItem, CronClearParams } from '../tickets/types/dc-cron-clear.type.js';
import { chunkKey, chunkShape } from '../data-changes/chunk-plan.js';
import * as dcRepo from '../data-changes/data-change.repository.js';
import type { CheckStep, DcPrecheckSqlTable } from '../data-changes/data-change.table.js';
import { runPrecheck, type StepResult, type Steps } from '../data-changes/precheck-run.js';
import { estimateChangedRows } from '../data-changes/row-estimate.js';
import { nextCall } from './schedule.js';
import { cutoffLiteral, deleteStatement, filterCondition, filterProblem, symbolicCutoff } from './statements.js';

const ENGINE_NAMES: Record<Engine, string> = { mysql: 'MySQL', mariadb: 'MariaDB', postgresql: 'PostgreSQL', sqlite: 'SQLite' };

/** Date and time types (not `time` of day, not intervals). */
const DATETIME_TYPE = /^(date|datetime|smalldatetime|timestamp)/i;
const NUMERIC_TYPE = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|number|real|double|float)/i;

/** Per item and physical database: what the steps found. */
interface Cell {
  member: TargetDatabase;
  position: number;
  item: CronClearItem;
  rows: number | null;
  exact: boolean;
  message: string | null;
}

interface Run {
  deps: Deps;
  precheckId: number;
  steps: Steps;
  cells: Cell[];
  estimate: number | null;
}

/** Runs one precheck of a DC_CRON_CLEAR ticket; one already settled (a duplicate job) is left alone. */
export async function runCronClearPrecheck(deps: Deps, precheckId: number): Promise<void> {
  let run: Run | undefined;
  await runPrecheck(deps, precheckId, {
    async check(ctx) {
      run = { deps, precheckId, steps: ctx.steps, cells: [], estimate: null };
      await check(run, ctx.ticket.committer_id, ctx.ticket.tenant_id, JSON.parse(ctx.ticket.params) as CronClearParams);
    },
    async settle() {
      const estimate = run?.estimate ?? null;
      return { rows: run ? precheckRows(run) : [], estimate, passed: estimate === null ? 'passed; expired rows unknown' : `passed; about ${estimate} rows expired now` };
    },
  });
}

function precheckRows(run: Run): Insertable<DcPrecheckSqlTable>[] {
  return run.cells.map((c) => ({
    precheck_id: run.precheckId,
    db_id: c.member.dbId,
    position: c.position,
    line: c.position,
    sql: deleteStatement(c.member.engine, c.item, symbolicCutoff(c.item)),
    sql_type: 'DELETE',
    table_names: c.item.tableName,
    affect_rows: c.rows,
    exact: c.exact ? 1 : 0,
    review_status: 'PASS' as const,
    findings: '[]',
    message: c.message,
  }));
}

const databaseOf = (m: TargetDatabase): string => (m.engine === 'sqlite' ? 'main' : m.schemaName);
const where = (c: Cell): string => `Item ${c.position} (${c.item.tableName}) on ${c.member.searchName}`;
const summary = (failures: string[]) => failures[0]! + (failures.length > 1 ? ` (and ${failures.length - 1} more: ListDataCorrectPreCheckSQL lists them)` : '');

/** The table of an item as the connector looks it up; a qualified name must stay in the database on MySQL and SQLite. */
function tableOf(c: Cell): { schema: string | null; name: string } | string {
  const parts = c.item.tableName.split('.').map((p) => p.trim());
  if (parts.length === 1) return { schema: null, name: parts[0]! };
  const [schema, name] = parts as [string, string];
  if (c.member.engine !== 'postgresql' && schema.toLowerCase() !== databaseOf(c.member).toLowerCase()) {
    return `${where(c)}: the table must be in database ${databaseOf(c.member)}, not ${schema}`;
  }
  return { schema, name };
}

async function check(run: Run, committerId: number, tenantId: number, params: CronClearParams): Promise<void> {
  const { deps } = run;
  const set = async (step: CheckStep, r: StepResult): Promise<void> => {
    run.steps.set(step, r);
    await dcRepo.setStep(deps.db, run.precheckId, step, { status: r.status, userTip: r.tip });
  };
  const tz = deps.config.timezone;

  // 1. SQL_PARSE
  await set('SQL_PARSE', { status: 'RUNNING', tip: null });
  let next: number | null;
  try {
    next = nextCall(params.cronFormat, deps.now(), tz);
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    await set('SQL_PARSE', { status: 'FAIL', tip: `CronFormat: ${e.message}` });
    return;
  }
  if (next === null) {
    await set('SQL_PARSE', { status: 'FAIL', tip: `CronFormat: ${params.cronFormat} never fires again.` });
    return;
  }
  const committer = await resolveActor(deps, committerId, tenantId);
  const members: TargetDatabase[] = [];
  for (const d of params.dbItemList) {
    const target = await resolveTargetDatabase(deps, committer, d.dbId, d.logic);
    for (const m of target.members) if (!members.some((x) => x.dbId === m.dbId)) members.push(m);
  }
  run.cells = members.flatMap((member) => params.cronClearItemList.map((item, k) => ({ member, item, position: k + 1, rows: null, exact: false, message: null })));
  const fail = (failures: string[], c: Cell, reason: string) => {
    c.message = reason;
    if (!failures.includes(reason)) failures.push(reason);
  };
  const parseFailures: string[] = [];
  for (const c of run.cells) {
    const filter = filterCondition(c.item.filterSQL);
    const problem = filter === null ? null : filterProblem(filter, c.member.engine);
    if (problem) {
      fail(parseFailures, c, `${where(c)}: FilterSQL: ${problem}.`);
      continue;
    }
    const sql = deleteStatement(c.member.engine, c.item, cutoffLiteral(c.member.engine, c.item, deps.now(), tz));
    const reason = await parseFailure(deps, c.member, sql);
    if (reason) fail(parseFailures, c, `${where(c)}: ${filter ? 'with its FilterSQL, ' : ''}the DELETE does not parse as ${ENGINE_NAMES[c.member.engine]}: ${reason}`);
    else {
      const shape = chunkShape(sql, c.member.engine);
      if (!shape.ok) fail(parseFailures, c, `${where(c)}: ${shape.reason}.`);
    }
  }
  if (parseFailures.length > 0) {
    await set('SQL_PARSE', { status: 'FAIL', tip: summary(parseFailures) });
    return;
  }
  const engines = [...new Set(members.map((m) => ENGINE_NAMES[m.engine]))].join(', ');
  await set('SQL_PARSE', { status: 'SUCCESS', tip: `Schedule ${params.cronFormat}: the next run would start at ${formatDmsTime(next, tz)} (${tz}); ${run.cells.length} DELETE statement(s) parse as ${engines}.` });

  // 2. SQL_TYPE_CHECK: tables, keys and columns on every database.
  await set('SQL_TYPE_CHECK', { status: 'RUNNING', tip: null });
  const typeFailures: string[] = [];
  const found: string[] = [];
  for (const m of members) {
    await withConnector(deps, m.spec, async (connector) => {
      for (const c of run.cells.filter((x) => x.member === m)) {
        const ref = tableOf(c);
        if (typeof ref === 'string') {
          fail(typeFailures, c, ref);
          continue;
        }
        const keys = await connector.tableKeys(databaseOf(m), ref.schema, ref.name);
        const shape = chunkShape(deleteStatement(m.engine, c.item, '0'), m.engine);
        const key = shape.ok ? chunkKey(shape.shape, keys) : { ok: false as const, reason: shape.reason };
        if (!keys) {
          fail(typeFailures, c, `${where(c)}: table ${c.item.tableName} does not exist (or is a view).`);
          continue;
        }
        if (!key.ok) {
          fail(typeFailures, c, `${where(c)}: ${key.reason}.`);
          continue;
        }
        const columns = await connector.listColumns(databaseOf(m), keys.schema, keys.name);
        const problem = columnProblem(columns, c.item);
        if (problem) fail(typeFailures, c, `${where(c)}: ${problem}`);
        else found.push(`${c.item.tableName}.${c.item.columnName} on ${m.searchName}`);
      }
    });
  }
  if (typeFailures.length > 0) {
    await set('SQL_TYPE_CHECK', { status: 'FAIL', tip: summary(typeFailures) });
    return;
  }
  await set('SQL_TYPE_CHECK', { status: 'SUCCESS', tip: `Every table has a key to delete by in batches, and a time column: ${found.slice(0, 5).join(', ')}${found.length > 5 ? ` and ${found.length - 5} more` : ''}.` });

  // 3. PERMISSION_CHECK: the rule of filing, for the committer as they are now.
  await set('PERMISSION_CHECK', { status: 'RUNNING', tip: null });
  try {
    await assertMayFile(deps, committer, params.dbItemList.map((d) => ({ dbId: d.dbId, logic: d.logic })));
  } catch (e) {
    await set('PERMISSION_CHECK', { status: 'FAIL', tip: (e as Error).message });
    return;
  }
  await set('PERMISSION_CHECK', { status: 'SUCCESS', tip: `${committer.nickName} may change ${members.map((m) => m.searchName).join(', ')}.` });

  // 4. ROW_CHECK: the rows a run starting now would delete.
  await set('ROW_CHECK', { status: 'RUNNING', tip: null });
  const refused: string[] = [];
  let total = 0;
  let unknown = 0;
  const now = deps.now();
  for (const m of members) {
    await withConnector(deps, m.spec, async (connector) => {
      for (const c of run.cells.filter((x) => x.member === m)) {
        try {
          const e = await estimateChangedRows(connector, databaseOf(m), deleteStatement(m.engine, c.item, cutoffLiteral(m.engine, c.item, now, tz)));
          c.rows = e?.rows ?? null;
          c.exact = e?.exact ?? false;
          if (e) total += e.rows;
          else unknown++;
        } catch (err) {
          fail(refused, c, `${where(c)}: the database refused the query of its expired rows: ${(err as Error).message}`);
        }
      }
    });
  }
  run.estimate = refused.length === 0 && unknown === 0 ? total : null;
  if (refused.length > 0) {
    await set('ROW_CHECK', { status: 'FAIL', tip: summary(refused) });
  } else {
    const per = run.cells.slice(0, 5).map((c) => `${c.item.tableName} on ${c.member.searchName}: ${c.rows ?? 'unknown'}${c.rows !== null && !c.exact ? ' (estimated)' : ''}`);
    await set('ROW_CHECK', { status: 'SUCCESS', tip: `About ${total} rows are expired now${unknown > 0 ? ` (unknown for ${unknown} item(s))` : ''}: ${per.join('; ')}${run.cells.length > 5 ? ' …' : ''}.` });
  }

  // 5. SQL_REVIEW
  await set('SQL_REVIEW', { status: 'SUCCESS', tip: 'Not applied: the review rules are for hand-written changes; a cleanup runs the DELETE statements OpenDMS generates, in key-ordered batches.' });
}

/** Why a column cannot be the item's time column; null when it can. */
function columnProblem(columns: ColumnInfo[], item: CronClearItem): string | null {
  const col = columns.find((c) => c.name.toLowerCase() === item.columnName.toLowerCase());
  if (!col) return `column ${item.columnName} does not exist (columns: ${columns.slice(0, 20).map((c) => c.name).join(', ')}).`;
  const type = col.dataType.trim();
  if (item.timeUnit) {
    if (NUMERIC_TYPE.test(type)) return null;
    return `column ${col.name} is ${type}, not a number: TimeUnit ${item.timeUnit} is for epoch numbers${DATETIME_TYPE.test(type) ? '; leave TimeUnit out for a date/time column' : ''}.`;
  }
  if (DATETIME_TYPE.test(type)) return null;
  if (NUMERIC_TYPE.test(type)) return `column ${col.name} is ${type}: give TimeUnit SECONDS or MILLISECONDS when it holds epoch numbers.`;
  return `column ${col.name} is ${type || 'untyped'}, not a date, datetime or timestamp column.`;
}

/** Why the statement does not parse for the member's engine; null when it does. */
async function parseFailure(deps: Deps, m: TargetDatabase, sql: string): Promise<string | null> {
  let r = parseStatement(sql, m.engine);
  if (!r.ok && m.engine === 'mariadb') {
    const mysql = parseStatement(sql, 'mysql');
    if (mysql.ok) r = mysql;
  }
  if (r.ok) return null;
  // The parser has grammar gaps; on PostgreSQL the engine decides (EXPLAIN does not execute).
  if (m.engine === 'postgresql') {
    const accepted = await withConnector(deps, m.spec, (c) => c.explainRows(m.schemaName, sql)).then(
      () => true,
      () => false,
    );
    if (accepted) return null;
  }
  return r.message;
}
