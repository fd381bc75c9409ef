import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { resolveTargetDatabase, type ResolvedTarget } from '../instances/owners.js';
import type { TicketStatus } from '../tickets/status.js';
import { getVisibleTicket, type Ticket } from '../tickets/tickets.js';
import type { DataChangeParams } from '../tickets/types/dc-common.type.js';
import { AppError } from '../../errors.js';
import * as repo from './data-change.repository.js';
import { DC_FAMILY, TYPE_TITLES, type DcFamilyType } from './family.js';
import type { DcPrecheckRow, DcStepRow } from './data-change.repository.js';

/**
 * DMS `DataCorrectOrderDetail.Status` (reference §5.1), derived: before submission the precheck's
 * state (`precheck`, `precheckFailed`, `precheck_success`), afterwards the ticket's, in the
 * documented spelling (`Approved`, `Success`); statuses the reference does not list (cancel, fail,
 * closed) are the ticket's own code.
 */
export function dataCorrectStatus(status: TicketStatus, precheck: DcPrecheckRow | undefined): string {
  if (status === 'new') {
    if (!precheck || precheck.status === 'RUNNING') return 'precheck';
    return precheck.status === 'SUCCESS' ? 'precheck_success' : 'precheckFailed';
  }
  const map: Partial<Record<TicketStatus, string>> = { toaudit: 'toaudit', approved: 'Approved', reject: 'reject', processing: 'processing', success: 'Success' };
  return map[status] ?? status;
}

export interface DataChangeDetail {
  pluginType: DcFamilyType;
  status: string;
  params: DataChangeParams;
  execMode: string;
  databases: { dbId: number; dbType: string; envType: string; logic: boolean; searchName: string }[];
  precheck: DcPrecheckRow | undefined;
  steps: DcStepRow[];
}

/** A ticket of the data-change family (or of `types`, where an Action serves only some of it) the actor may see. */
async function visibleDataChange(deps: Deps, actor: Actor, orderId: number, types: readonly DcFamilyType[] = DC_FAMILY): Promise<Ticket> {
  const ticket = await getVisibleTicket(deps, actor, orderId);
  if (!(types as readonly string[]).includes(ticket.row.plugin_type)) {
    const what = types.length === 1 ? TYPE_TITLES[types[0]!] : 'a data change (DC_COMMON, DC_CHUNK, DC_CRON_CLEAR or DC_BIG_FILE)';
    throw new AppError('InvalidOrderId', `Specified parameter OrderId is not valid: ticket ${orderId} is a ${ticket.row.plugin_type} ticket, not ${what}.`);
  }
  return ticket;
}

export async function dataChangeDetail(deps: Deps, actor: Actor, orderId: number): Promise<DataChangeDetail> {
  const ticket = await visibleDataChange(deps, actor, orderId);
  const params = ticket.params as DataChangeParams;
  const precheck = await repo.latestPrecheck(deps.db, orderId);
  const targets = await resolveTargets(deps, actor, params);
  return {
    pluginType: ticket.row.plugin_type as DcFamilyType,
    status: dataCorrectStatus(ticket.row.status as TicketStatus, precheck),
    params,
    execMode: params.execMode,
    databases: params.dbItemList.map((d, k) => {
      const t = targets[k];
      return { dbId: d.dbId, logic: d.logic, dbType: t?.engine ?? '', envType: t?.envType ?? '', searchName: t?.searchName ?? `database ${d.dbId} (deleted)` };
    }),
    precheck,
    steps: precheck ? await repo.listSteps(deps.db, precheck.id) : [],
  };
}

/** The ticket's targets, in DbItemList order; undefined for one that no longer resolves. */
async function resolveTargets(deps: Deps, actor: Actor, params: DataChangeParams): Promise<(ResolvedTarget | undefined)[]> {
  return Promise.all(params.dbItemList.map((d) => resolveTargetDatabase(deps, actor, d.dbId, d.logic).catch(() => undefined)));
}

export interface Page {
  number: number;
  size: number;
}

/** ListDataCorrectPreCheckDB: each physical database of the latest precheck with its statement count. */
export async function precheckDatabases(deps: Deps, actor: Actor, orderId: number, page: Page) {
  const ticket = await visibleDataChange(deps, actor, orderId);
  const precheck = await repo.latestPrecheck(deps.db, orderId);
  const counts = precheck ? await repo.countSqlPerDb(deps.db, precheck.id) : [];
  const names = new Map<number, string>();
  for (const t of await resolveTargets(deps, actor, ticket.params as DataChangeParams)) for (const m of t?.members ?? []) names.set(m.dbId, m.searchName);
  const all = counts.map((c) => ({ dbId: Number(c.db_id), searchName: names.get(Number(c.db_id)) ?? `database ${c.db_id} (deleted)`, sqlNum: Number(c.n) }));
  return { totalCount: all.length, items: all.slice((page.number - 1) * page.size, page.number * page.size) };
}

export interface PrecheckStatement {
  dbId: number;
  position: number;
  line: number;
  sql: string;
  sqlType: string;
  tableNames: string;
  affectRows: number | null;
  exact: boolean;
  reviewStatus: string;
  findings: { ruleId: string; level: string; message: string }[];
  message: string | null;
}

/** ListDataCorrectPreCheckSQL: the statements of the latest precheck, per database then position. */
export async function precheckStatements(deps: Deps, actor: Actor, orderId: number, dbId: number | undefined, page: Page) {
  await visibleDataChange(deps, actor, orderId);
  const precheck = await repo.latestPrecheck(deps.db, orderId);
  if (!precheck) return { totalCount: 0, items: [] as PrecheckStatement[] };
  const [totalCount, rows] = await Promise.all([
    repo.countPrecheckSql(deps.db, precheck.id, dbId),
    repo.listPrecheckSql(deps.db, precheck.id, { dbId, offset: (page.number - 1) * page.size, limit: page.size }),
  ]);
  const items: PrecheckStatement[] = rows.map((r) => ({
    dbId: Number(r.db_id),
    position: r.position,
    line: r.line,
    sql: r.sql,
    sqlType: r.sql_type,
    tableNames: r.table_names,
    affectRows: r.affect_rows === null ? null : Number(r.affect_rows),
    exact: r.exact === 1,
    reviewStatus: r.review_status,
    findings: JSON.parse(r.findings) as PrecheckStatement['findings'],
    message: r.message,
  }));
  return { totalCount, items };
}

export { visibleDataChange };
