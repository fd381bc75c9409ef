import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import type { DataChangeParams } from '../tickets/types/dc-common.type.js';

/**
 * The change SQL of a DC_COMMON ticket: `execSQL`, or (SqlType ATTACHMENT) the attachment the
 * committer uploaded, read from the file store as UTF-8 (a byte-order mark is dropped). Filing
 * checked that the attachment exists and is the committer's; once a ticket references it, the
 * attachment purge keeps it.
 */
export async function loadChangeSql(deps: Deps, tenantId: number, params: DataChangeParams): Promise<string> {
  if (params.sqlType === 'TEXT') return params.execSQL ?? '';
  const key = params.attachmentName ?? '';
  const row = await deps.db.selectFrom('attachment').select(['storage_key', 'tenant_id']).where('attachment_key', '=', key).executeTakeFirst();
  if (!row || row.tenant_id !== tenantId) throw new AppError('InvalidAttachmentName', `The attachment ${key} of the ticket no longer exists.`);
  const file = await deps.files.get(row.storage_key);
  if (!file) throw new AppError('InvalidAttachmentName', `The file of attachment ${key} is missing from the file store.`);
  const chunks: Buffer[] = [];
  for await (const chunk of file.stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  const text = Buffer.concat(chunks).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
