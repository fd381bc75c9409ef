import type { Insertable } from 'kysely';
import type { Engine } from '../../connectors/index.js';
import { parseStatement } from '../../lib/sql/parse.js';
import { classifyStatement, type StatementKind } from '../../lib/sql/statement-kind.js';
import { tokenize } from '../../lib/sql/tokens.js';
import type { Deps } from '../context.js';
import { resolveActor } from '../identity/authentication.js';
import { withConnector } from '../instances/connections.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { analyzeDmlAsync, collectFacts, MAX_PARSE_CHARS, reviewDml, type AnalyzedStatement, type FactsLookup, type ReviewFinding, type ReviewResult } from '../review/index.js';
import { refName } from '../review/table-refs.js';
import { loadReviewSettings } from '../review/settings.js';
import { assertMayFile } from '../tickets/tickets.js';
import type { DataChangeParams } from '../tickets/types/dc-common.type.js';
import type { CheckStep, DcPrecheckSqlTable } from './data-change.table.js';
import * as repo from './data-change.repository.js';
import { chunkKey, chunkShape } from './chunk-plan.js';
import { runPrecheck, type StepResult, type Steps } from './precheck-run.js';
import { replicaState } from './replica-lag.js';
import { estimateChangedRows } from './row-estimate.js';
import { loadChangeSql } from './sql-source.js';

/**
 * The precheck of a DC_COMMON ticket (background job `dc-precheck`, started when the ticket is
 * filed and by RetryDataCorrectPreCheck). Steps, in order (docs/data-changes.md):
 * 1. SQL_PARSE: every INSERT/UPDATE/DELETE/REPLACE parses in the dialect of each target engine
 *    (PostgreSQL: a statement the parser cannot read passes when the engine's EXPLAIN accepts it);
 *    a statement that starts with no SQL keyword fails here. The message names statement and line.
 * 2. SQL_TYPE_CHECK: only INSERT, UPDATE, DELETE, REPLACE; DDL, DCL, SET/USE, transaction control,
 *    queries … are refused with the statement named.
 * 3. PERMISSION_CHECK: the committer may still file a ticket on every database (the filing rule).
 * 4. ROW_CHECK: rows per statement and member database (row-estimate.ts); the total above
 *    EstimateAffectRows fails unless SkipDataCorrectRowCheck skipped it; a statement the database
 *    refuses fails it too (not skippable).
 * 5. SQL_REVIEW (OpenDMS): the review rules at the tenant's levels for each database's environment
 *    (review/settings.ts); an ERROR finding fails it.
 * Steps 1–3 gate: after a failure the later steps stay WAITING. ROW_CHECK and SQL_REVIEW both run.
 * Nothing is written to the target: every database call is a read-only one of the Connector.
 */


const ENGINE_NAMES: Record<Engine, string> = { mysql: 'MySQL', mariadb: 'MariaDB', postgresql: 'PostgreSQL', sqlite: 'SQLite' };

const REFUSED_KINDS: Partial<Record<StatementKind, string>> = {
  query: 'a query',
  ddl: 'DDL',
  privileges: 'a privilege statement (DCL)',
  session: 'a session statement',
  transaction: 'transaction control (each database runs the ticket in transactions of its own)',
  routine: 'a call of stored or prepared code',
  'data-transfer': 'a bulk data transfer',
  lock: 'a lock statement',
  explain: 'EXPLAIN',
  'explain-analyze': 'EXPLAIN ANALYZE',
  show: 'SHOW',
  maintenance: 'a maintenance statement',
  dml: 'a statement OpenDMS does not run in data changes',
};

/** Runs one precheck of a DC_COMMON or DC_CHUNK ticket; one already settled (a duplicate job) is left alone. */
export async function runDcPrecheck(deps: Deps, precheckId: number): Promise<void> {
  let run: Run | undefined;
  await runPrecheck(deps, precheckId, {
    async check(ctx) {
      run = { deps, precheckId, steps: ctx.steps, rows: [], estimate: null };
      await check(run, ctx.ticket.committer_id, ctx.ticket.tenant_id, JSON.parse(ctx.ticket.params) as DataChangeParams, ctx.ticket.plugin_type === 'DC_CHUNK');
    },
    // SkipDataCorrectRowCheck may have arrived while the check ran.
    adjust(fresh, steps) {
      const row = steps.get('ROW_CHECK')!;
      if (fresh.row_check_skipped === 1 && row.status === 'FAIL' && row.skippable) steps.set('ROW_CHECK', { status: 'SUCCESS', tip: skippedTip(row.tip, fresh.skip_reason) });
    },
    async settle() {
      const estimate = run?.estimate ?? null;
      return { rows: run?.rows ?? [], estimate, passed: estimate === null ? 'passed; row count unknown' : `passed; about ${estimate} rows` };
    },
  });
}

/** The ROW_CHECK tip once skipped. */
export function skippedTip(failureTip: string | null, reason: string | null): string {
  const found = /change about (\d+) rows, more than the (\d+) declared/.exec(failureTip ?? '');
  const what = found ? `About ${found[1]} rows, more than the ${found[2]} declared in EstimateAffectRows` : 'The row count';
  return `${what}: the row check was skipped (SkipDataCorrectRowCheck): ${reason ?? ''}`;
}

interface Run {
  deps: Deps;
  precheckId: number;
  steps: Steps;
  rows: Insertable<DcPrecheckSqlTable>[];
  estimate: number | null;
}

/** Per member database and statement: what the steps found. */
interface StatementState {
  message: string | null;
  affectRows: number | null;
  exact: boolean;
  findings: ReviewFinding[];
  reviewed: ReviewResult['statements'][number] | undefined;
}

async function check(run: Run, committerId: number, tenantId: number, params: DataChangeParams, chunked: boolean): Promise<void> {
  const { deps } = run;
  const set = async (step: CheckStep, r: StepResult): Promise<void> => {
    run.steps.set(step, r);
    await repo.setStep(deps.db, run.precheckId, step, { status: r.status, userTip: r.tip, skippable: r.skippable ?? false });
  };
  const summary = (failures: string[]) => failures[0]! + (failures.length > 1 ? ` (and ${failures.length - 1} more: ListDataCorrectPreCheckSQL lists them)` : '');

  await set('SQL_PARSE', { status: 'RUNNING', tip: null });
  const committer = await resolveActor(deps, committerId, tenantId);
  const sqlText = await loadChangeSql(deps, tenantId, params);
  const members: TargetDatabase[] = [];
  for (const item of params.dbItemList) {
    const target = await resolveTargetDatabase(deps, committer, item.dbId, item.logic);
    for (const m of target.members) if (!members.some((x) => x.dbId === m.dbId)) members.push(m);
  }
  const analyses = new Map<Engine, AnalyzedStatement[]>();
  // Yields to the event loop while it parses: a 15 MB script must not stall the server's other requests.
  for (const m of members) if (!analyses.has(m.engine)) analyses.set(m.engine, await analyzeDmlAsync(sqlText, m.engine));
  const state = new Map<string, StatementState>();
  const at = (m: TargetDatabase, s: AnalyzedStatement): StatementState => {
    const k = `${m.dbId}:${s.index}`;
    let st = state.get(k);
    if (!st) state.set(k, (st = { message: null, affectRows: null, exact: false, findings: [], reviewed: undefined }));
    return st;
  };
  const stmtsOf = (m: TargetDatabase) => analyses.get(m.engine)!;
  const finishRows = () => {
    run.rows = members.flatMap((m) =>
      stmtsOf(m).map((s) => {
        const st = at(m, s);
        const keyword = classifyStatement(tokenize(s.sql, m.engine).tokens).keyword;
        return {
          precheck_id: run.precheckId,
          db_id: m.dbId,
          position: s.index,
          line: s.line,
          sql: s.sql,
          sql_type: s.kind !== 'OTHER' ? s.kind : (keyword ?? 'UNKNOWN'),
          table_names: s.tables.map(refName).join(','),
          affect_rows: st.affectRows,
          exact: st.exact ? 1 : 0,
          review_status: st.reviewed?.status ?? 'WAITING',
          findings: JSON.stringify(st.findings.map((f) => ({ ruleId: f.ruleId, level: f.level, message: f.message }))),
          message: st.message,
        };
      }),
    );
  };

  // 1. SQL_PARSE, per engine (the parse does not depend on the member, the PostgreSQL fallback does).
  const count = analyses.values().next().value?.length ?? 0;
  if (count === 0) {
    await set('SQL_PARSE', { status: 'FAIL', tip: 'The ticket contains no SQL statement.' });
    return;
  }
  const parseFailures: string[] = [];
  for (const m of members) {
    for (const s of stmtsOf(m)) {
      const reason = await parseFailure(deps, m, s);
      if (reason) {
        at(m, s).message = reason;
        if (!parseFailures.includes(reason)) parseFailures.push(reason);
      }
    }
  }
  if (parseFailures.length > 0) {
    finishRows();
    await set('SQL_PARSE', { status: 'FAIL', tip: summary(parseFailures) });
    return;
  }
  const engines = [...analyses.keys()].map((e) => ENGINE_NAMES[e]).join(', ');
  await set('SQL_PARSE', { status: 'SUCCESS', tip: `${count} statement(s) parse as ${engines}.` });

  // 2. SQL_TYPE_CHECK
  await set('SQL_TYPE_CHECK', { status: 'RUNNING', tip: null });
  const typeFailures: string[] = [];
  for (const m of members) {
    for (const s of stmtsOf(m)) {
      if (s.kind !== 'OTHER') continue;
      const cls = classifyStatement(tokenize(s.sql, m.engine).tokens);
      const reason = `Statement ${s.index} (line ${s.line}): ${cls.keyword ?? 'it'} is ${REFUSED_KINDS[cls.kind] ?? 'not a data change'}; a data change ticket runs only INSERT, UPDATE, DELETE and REPLACE.`;
      at(m, s).message = reason;
      if (!typeFailures.includes(reason)) typeFailures.push(reason);
    }
  }
  if (typeFailures.length > 0) {
    finishRows();
    await set('SQL_TYPE_CHECK', { status: 'FAIL', tip: summary(typeFailures) });
    return;
  }
  const kinds = [...new Set(stmtsOf(members[0]!).map((s) => s.kind))].join(', ');
  if (chunked) {
    const refusal = (await chunkRefusal(deps, members, stmtsOf)) ?? (await replicaRefusal(deps, tenantId, members, params as DataChangeParams & { replicaInstanceId?: number }));
    if (refusal) {
      finishRows();
      await set('SQL_TYPE_CHECK', { status: 'FAIL', tip: refusal });
      return;
    }
  }
  await set('SQL_TYPE_CHECK', { status: 'SUCCESS', tip: chunked ? `One ${kinds}, run in key-range batches.` : `Only data changes: ${kinds}.` });

  // 3. PERMISSION_CHECK: the rule of filing, for the committer as they are now.
  await set('PERMISSION_CHECK', { status: 'RUNNING', tip: null });
  try {
    await assertMayFile(deps, committer, params.dbItemList.map((d) => ({ dbId: d.dbId, logic: d.logic })));
  } catch (e) {
    finishRows();
    await set('PERMISSION_CHECK', { status: 'FAIL', tip: (e as Error).message });
    return;
  }
  await set('PERMISSION_CHECK', { status: 'SUCCESS', tip: `${committer.nickName} may change ${members.map((m) => m.searchName).join(', ')}.` });

  // 4. ROW_CHECK and 5. SQL_REVIEW, one connection per member database.
  await set('ROW_CHECK', { status: 'RUNNING', tip: null });
  const refused: string[] = [];
  const unknown: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let total = 0;
  const reviewSettings = await loadReviewSettings(deps, tenantId);
  for (const m of members) {
    await withConnector(deps, m.spec, async (connector) => {
      const database = m.engine === 'sqlite' ? 'main' : m.schemaName;
      const stmts = stmtsOf(m);
      for (const s of stmts) {
        const st = at(m, s);
        try {
          const e = await estimateChangedRows(connector, database, s.sql);
          st.affectRows = e?.rows ?? null;
          st.exact = e?.exact ?? false;
          if (e) total += e.rows;
          else unknown.push(`statement ${s.index} on ${m.searchName}`);
        } catch (err) {
          st.message = `Statement ${s.index} (line ${s.line}) on ${m.searchName}: the database refused it: ${(err as Error).message}`;
          refused.push(st.message);
        }
      }
      let facts: FactsLookup | undefined;
      try {
        facts = await collectFacts(connector, database, stmts);
      } catch {
        facts = undefined; // rules that need table facts stay quiet
      }
      const review = reviewDml(stmts, {
        engine: m.engine,
        settings: reviewSettings(m.envType),
        table: (schema, name) => facts?.table(schema, name),
        estimatedRows: (i) => state.get(`${m.dbId}:${i}`)?.affectRows ?? null,
      });
      for (const r of review.statements) at(m, stmts[r.index - 1]!).reviewed = r;
      for (const f of review.findings) {
        const s = stmts[f.statementIndex - 1]!;
        at(m, s).findings.push(f);
        const text = `${f.message} (${f.ruleId}, on ${m.searchName})`;
        if (f.level === 'ERROR') errors.push(text);
        else if (f.level === 'WARNING') warnings.push(text);
      }
    });
  }
  run.estimate = refused.length === 0 && unknown.length === 0 ? total : null;
  finishRows();

  const declared = params.estimateAffectRows;
  if (refused.length > 0) {
    await set('ROW_CHECK', { status: 'FAIL', tip: summary(refused) });
  } else if (declared !== undefined && total > declared) {
    await set('ROW_CHECK', {
      status: 'FAIL',
      skippable: true,
      tip: `The statements change about ${total} rows, more than the ${declared} declared in EstimateAffectRows: file the ticket with a larger estimate, or skip the row check with SkipDataCorrectRowCheck and a reason.`,
    });
  } else {
    const counted = `About ${total} rows${declared !== undefined ? ` (${declared} declared)` : ''}`;
    await set('ROW_CHECK', { status: 'SUCCESS', tip: unknown.length > 0 ? `${counted}; rows unknown for ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}.` : `${counted}.` });
  }
  if (errors.length > 0) await set('SQL_REVIEW', { status: 'FAIL', tip: summary(errors) });
  else await set('SQL_REVIEW', { status: 'SUCCESS', tip: warnings.length > 0 ? `${warnings.length} warning(s): ${warnings.slice(0, 3).join(' ')}${warnings.length > 3 ? ' … (ListDataCorrectPreCheckSQL lists them all)' : ''}` : 'No review rule is violated.' });
}

/** DC_CHUNK: why its SQL cannot run in key-range batches on some member; null when it can. */
async function chunkRefusal(deps: Deps, members: TargetDatabase[], stmtsOf: (m: TargetDatabase) => AnalyzedStatement[]): Promise<string | null> {
  const count = stmtsOf(members[0]!).length;
  if (count !== 1) return `A lock-free change runs exactly one statement; this ticket has ${count}. File one ticket per statement (or a regular data change, DC_COMMON).`;
  for (const m of members) {
    const s = stmtsOf(m)[0]!;
    const shape = chunkShape(s.sql, m.engine);
    if (!shape.ok) return `Statement 1 (line ${s.line}) cannot run in batches: ${shape.reason}.`;
    const keys = await withConnector(deps, m.spec, (c) => c.tableKeys(m.engine === 'sqlite' ? 'main' : m.schemaName, shape.shape.table.schema, shape.shape.table.name));
    const key = chunkKey(shape.shape, keys);
    if (!key.ok) return `Statement 1 (line ${s.line}) cannot run in batches on ${m.searchName}: ${key.reason}.`;
  }
  return null;
}

/** DC_CHUNK with `replicaInstanceId`: why that instance cannot be waited for; null when it can. */
async function replicaRefusal(deps: Deps, tenantId: number, members: TargetDatabase[], params: { replicaInstanceId?: number }): Promise<string | null> {
  if (params.replicaInstanceId === undefined) return null;
  const other = members.find((m) => m.engine !== 'mysql' && m.engine !== 'mariadb');
  if (other) return `replicaInstanceId: replica lag is checked for MySQL and MariaDB targets; ${other.searchName} is ${ENGINE_NAMES[other.engine]}.`;
  try {
    const s = await replicaState(deps, tenantId, params.replicaInstanceId);
    if (s.kind === 'not-a-replica') return `replicaInstanceId: instance ${s.name} is not a replica (SHOW REPLICA STATUS is empty).`;
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why statement `s` does not parse for member `m`'s engine; null when it does (or is not DML: SQL_TYPE_CHECK decides). */
async function parseFailure(deps: Deps, m: TargetDatabase, s: AnalyzedStatement): Promise<string | null> {
  if (s.kind === 'OTHER') {
    const cls = classifyStatement(tokenize(s.sql, m.engine).tokens);
    if (cls.kind !== 'unknown') return null;
    const first = s.sql.trim().split(/\s+/)[0] ?? '';
    return `Statement ${s.index} (line ${s.line}): "${first.slice(0, 40)}" does not start a ${ENGINE_NAMES[m.engine]} statement.`;
  }
  if (s.parsed || s.sql.length > MAX_PARSE_CHARS) return null;
  // The parser has grammar gaps (README of modules/review); on PostgreSQL the engine decides.
  if (m.engine === 'postgresql') {
    const accepted = await withConnector(deps, m.spec, (c) => c.explainRows(m.schemaName, s.sql)).then(
      () => true,
      () => false,
    );
    if (accepted) return null;
  }
  let r = parseStatement(s.sql, m.engine);
  if (!r.ok && m.engine === 'mariadb') {
    const mysql = parseStatement(s.sql, 'mysql');
    if (mysql.ok) r = mysql;
  }
  if (r.ok) return null;
  const line = s.line + (r.line ?? 1) - 1;
  return `Statement ${s.index} (line ${line}): it does not parse as ${ENGINE_NAMES[m.engine]}: ${r.message}`;
}
