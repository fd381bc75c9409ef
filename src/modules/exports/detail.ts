import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { resolveTargetDatabase } from '../instances/owners.js';
import { getVisibleTicket } from '../tickets/tickets.js';
import type { TicketStatus } from '../tickets/status.js';
import type { DataExportParams } from '../tickets/types/data-export.type.js';
import * as repo from './export.repository.js';
import type { ExportJobRow, PrecheckRow } from './export.repository.js';

/** DMS export `JobStatus` (reference §5.2): the precheck, approval and export phases in one value. */
export type ExportPhase =
  | 'PRE_CHECKING'
  | 'PRE_CHECK_SUCCESS'
  | 'PRE_CHECK_FAIL'
  | 'WAITING_APPLY_AUDIT'
  | 'APPLY_AUDIT_SUCCESS'
  | 'ENABLE_EXPORT'
  | 'WAITING_EXPORT'
  | 'DOING_EXPORT'
  | 'EXPORT_FAIL'
  | 'EXPORT_SUCCESS';

/**
 * Derived, never stored twice: the export job's status once there is a job of the current
 * approval; else `toaudit` → WAITING_APPLY_AUDIT, `approved` → ENABLE_EXPORT; else the precheck's.
 */
export function exportPhase(status: TicketStatus, precheck: PrecheckRow | undefined, job: ExportJobRow | undefined): ExportPhase {
  if (job && (status === 'processing' || status === 'success' || status === 'fail' || status === 'closed')) return job.status;
  if (status === 'toaudit') return 'WAITING_APPLY_AUDIT';
  if (status === 'approved') return 'ENABLE_EXPORT';
  return precheck?.status ?? 'PRE_CHECKING';
}

export interface ExportDetail {
  jobId: number | null;
  phase: ExportPhase;
  precheckId: number | null;
  precheckMessage: string | null;
  params: DataExportParams;
  database: string;
  envType: string;
  /** Rows exported (while running: so far), else the precheck's estimate. */
  actualAffectRows: number | null;
  rowsEstimated: number | null;
  jobMessage: string | null;
  fileBytes: number | null;
}

export async function exportDetail(deps: Deps, actor: Actor, orderId: number): Promise<ExportDetail> {
  const ticket = await getVisibleTicket(deps, actor, orderId);
  const params = ticket.params as DataExportParams;
  const precheck = await repo.latestPrecheck(deps.db, orderId);
  const job = await repo.findJobByTicket(deps.db, orderId);
  const target = await resolveTargetDatabase(deps, actor, params.dbId, params.logic).catch(() => null);
  const exported = job && job.status !== 'WAITING_EXPORT' ? job.rows_done : null;
  return {
    jobId: job?.id ?? null,
    phase: exportPhase(ticket.row.status as TicketStatus, precheck, job),
    precheckId: precheck?.id ?? null,
    precheckMessage: precheck?.message ?? null,
    params,
    database: target?.searchName ?? `database ${params.dbId} (deleted)`,
    envType: target?.envType ?? '',
    actualAffectRows: exported ?? precheck?.estimated_rows ?? null,
    rowsEstimated: job?.rows_estimated ?? precheck?.estimated_rows ?? null,
    jobMessage: job?.message ?? null,
    fileBytes: job?.status === 'EXPORT_SUCCESS' ? job.file_bytes : null,
  };
}

export interface PrecheckDetail {
  ignoreAffectRows: boolean;
  status: string;
  message: string | null;
  statements: { sql: string; affectRows: number | null; dbId: number; ok: boolean; message: string | null; exact: boolean }[];
}

export async function exportPrecheckDetail(deps: Deps, actor: Actor, orderId: number): Promise<PrecheckDetail> {
  const ticket = await getVisibleTicket(deps, actor, orderId);
  const params = ticket.params as DataExportParams;
  const precheck = await repo.latestPrecheck(deps.db, orderId);
  const rows = precheck ? await repo.listPrecheckSql(deps.db, precheck.id) : [];
  return {
    ignoreAffectRows: params.ignoreAffectRows,
    status: precheck?.status ?? 'PRE_CHECKING',
    message: precheck?.message ?? null,
    statements: rows.map((r) => ({ sql: r.sql, affectRows: r.affect_rows, dbId: r.db_id, ok: r.ok === 1, message: r.message, exact: r.exact === 1 })),
  };
}
