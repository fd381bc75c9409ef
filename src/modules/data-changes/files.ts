/**
 * The files of a data change, served by OpenDMS at `/api/data-changes/<token>` behind signed,
 * expiring links (lib/url-signer.ts, a key derived for this purpose only; TTL
 * OPENDMS_DOWNLOAD_URL_TTL_SECONDS):
 * - GetDataCorrectBackupFiles: one backup file per database job (JSON Lines: each statement's
 *   segment, backup.ts), once the job has run;
 * - GetDataCorrectSQLFile: the change script as filed;
 * - GetDataCorrectRollbackFile: the committer's own rollback script when they gave one, else the
 *   one generated from the backups (rollback.ts), a section per database.
 * Content is produced when downloaded, from the store's current state, never cached half-made.
 */
import { PassThrough, Readable } from 'node:stream';
import { AppError } from '../../errors.js';
import { UrlSigner } from '../../lib/url-signer.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { physicalTarget } from '../instances/owners.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import type { DataChangeParams } from '../tickets/types/dc-common.type.js';
import { openSegment } from './backup.js';
import { visibleDataChange } from './detail.js';
import * as repo from './execution.repository.js';
import { writeRollback } from './rollback.js';
import { loadChangeSql } from './sql-source.js';

const SIGNING_PURPOSE = 'data-change-file-url';

type FileKind = 'backup' | 'sql' | 'rollback';

interface FileClaim extends Record<string, unknown> {
  t: number;
  o: number;
  f: FileKind;
  /** The job (backup files). */
  j?: number;
}

const signer = (deps: Deps) => new UrlSigner(deps.secrets.deriveKey(SIGNING_PURPOSE));

function sign(deps: Deps, claim: FileClaim): string {
  return signer(deps).sign(claim, deps.now() + deps.config.downloadUrlTtlSeconds * 1000);
}

/** GetDataCorrectBackupFiles: a token per job that backed something up. */
export async function backupFileTokens(deps: Deps, actor: Actor, orderId: number): Promise<string[]> {
  const ticket = await visibleDataChange(deps, actor, orderId);
  const task = await repo.findTaskByTicket(deps.db, orderId);
  if (!task) throw new AppError('InvalidStatus', `Ticket ${orderId} has not been executed yet (status ${ticket.row.status}); backups are taken while it runs.`);
  const tokens: string[] = [];
  for (const job of await repo.listJobs(deps.db, task.id)) {
    const statements = await repo.listBackupUnits(deps.db, job.id);
    if (statements.some((s) => s.backup_key !== null && s.status === 'SUCCESS')) tokens.push(sign(deps, { t: ticket.row.tenant_id, o: orderId, f: 'backup', j: job.id }));
  }
  return tokens;
}

/** GetDataCorrectSQLFile / GetDataCorrectRollbackFile. */
export async function ticketFileToken(deps: Deps, actor: Actor, orderId: number, kind: 'sql' | 'rollback'): Promise<string> {
  const ticket = await visibleDataChange(deps, actor, orderId);
  if (kind === 'rollback') {
    const p = ticket.params as DataChangeParams;
    const own = p.rbSQLType === 'ATTACHMENT' ? !!p.rbAttachmentName : (p.rbSQL ?? '').trim() !== '';
    if (!own && !(await repo.findTaskByTicket(deps.db, orderId))) {
      throw new AppError('InvalidStatus', `Ticket ${orderId} has no rollback script: the committer gave none, and none is generated before the ticket is executed.`);
    }
  }
  return sign(deps, { t: ticket.row.tenant_id, o: orderId, f: kind });
}

export type DataChangeFile = { ok: true; fileName: string; contentType: string; stream: Readable } | { ok: false; reason: 'invalid' | 'expired' | 'gone' };

export async function openDataChangeFile(deps: Deps, token: string): Promise<DataChangeFile> {
  const check = signer(deps).verify<FileClaim>(token, deps.now());
  if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'invalid' };
  const c = check.payload;
  if (typeof c.t !== 'number' || typeof c.o !== 'number' || !['backup', 'sql', 'rollback'].includes(c.f)) return { ok: false, reason: 'invalid' };
  const ticket = await ticketRepo.findTicket(deps.db, c.t, c.o);
  if (!ticket) return { ok: false, reason: 'gone' };
  const params = JSON.parse(ticket.params) as DataChangeParams;

  if (c.f === 'sql') {
    const sql = await loadChangeSql(deps, c.t, params);
    return { ok: true, fileName: `order-${c.o}.sql`, contentType: 'application/sql; charset=utf-8', stream: Readable.from([Buffer.from(sql, 'utf8')]) };
  }
  if (c.f === 'backup') {
    const job = typeof c.j === 'number' ? await repo.findJob(deps.db, c.j) : undefined;
    if (!job || job.ticket_id !== c.o || job.tenant_id !== c.t) return { ok: false, reason: 'gone' };
    const keys = (await repo.listBackupUnits(deps.db, job.id)).filter((s) => s.status === 'SUCCESS' && s.backup_key !== null).map((s) => s.backup_key!);
    return { ok: true, fileName: `backup-${c.o}-job-${job.id}.jsonl`, contentType: 'application/x-ndjson', stream: concat(deps, keys) };
  }
  const own = ownRollback(params);
  if (own !== null) {
    const text = own.kind === 'TEXT' ? own.sql : await loadChangeSql(deps, c.t, { ...params, sqlType: 'ATTACHMENT', attachmentName: own.attachment });
    return { ok: true, fileName: `rollback-${c.o}.sql`, contentType: 'application/sql; charset=utf-8', stream: Readable.from([Buffer.from(text, 'utf8')]) };
  }
  const task = await repo.findTaskByTicket(deps.db, c.o);
  if (!task) return { ok: false, reason: 'gone' };
  const out = new PassThrough();
  void (async () => {
    const write = async (text: string) => {
      if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
    };
    try {
      await write(`-- Rollback of OpenDMS ticket ${c.o}, generated from the backup taken before each statement.\n-- Run each section on its own database; statements are undone in reverse order.\n`);
      for (const job of await repo.listJobs(deps.db, task.id)) {
        const target = await physicalTarget(deps, job.tenant_id, job.db_id);
        await write(`\n-- Database ${target?.searchName ?? job.db_id} (DbId ${job.db_id}), SQL job ${job.id}, status ${job.status}\n`);
        if (!target) {
          await write('-- the database no longer exists\n');
          continue;
        }
        const script = await writeRollback(deps.files, target.engine, await repo.listBackupUnits(deps.db, job.id), write);
        if (!script.complete) await write(`-- INCOMPLETE: ${script.notes.length} statement(s) cannot be undone from the backup (see the notes above)\n`);
      }
      out.end();
    } catch (e) {
      out.destroy(e as Error);
    }
  })();
  return { ok: true, fileName: `rollback-${c.o}.sql`, contentType: 'application/sql; charset=utf-8', stream: out };
}

/** The committer's own rollback script, if the ticket has one. */
export function ownRollback(p: DataChangeParams): { kind: 'TEXT'; sql: string } | { kind: 'ATTACHMENT'; attachment: string } | null {
  if (p.rbSQLType === 'ATTACHMENT' && p.rbAttachmentName) return { kind: 'ATTACHMENT', attachment: p.rbAttachmentName };
  if ((p.rbSQL ?? '').trim() !== '') return { kind: 'TEXT', sql: p.rbSQL! };
  return null;
}

/** The stored segments one after another; a missing one fails the download (never a silently short file). */
function concat(deps: Deps, keys: readonly string[]): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const key of keys) {
      const s = await openSegment(deps.files, key);
      if (!s) throw new Error(`backup segment ${key} is missing`);
      for await (const chunk of s) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    }
  }
  return Readable.from(chunks());
}
