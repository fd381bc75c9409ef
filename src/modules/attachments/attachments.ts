import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';

export interface AttachmentInfo {
  key: string;
  fileName: string;
  sizeBytes: number;
  fileSource: string;
}

/**
 * A ticket may reference an attachment only if it exists in the tenant, was uploaded by the
 * committer and has not expired.
 */
export async function assertAttachmentUsable(deps: Deps, actor: Actor, key: string, paramName = 'AttachmentKey'): Promise<AttachmentInfo> {
  const row = await deps.db.selectFrom('attachment').selectAll().where('attachment_key', '=', key).executeTakeFirst();
  if (!row || row.tenant_id !== actor.tenantId) {
    throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: attachment ${key} does not exist.`);
  }
  if (row.user_id !== actor.userId) {
    throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: attachment ${key} was uploaded by another user.`);
  }
  if (row.expires_at < deps.now()) {
    throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: attachment ${key} has expired; upload it again.`);
  }
  return { key: row.attachment_key, fileName: row.file_name, sizeBytes: row.size_bytes, fileSource: row.file_source };
}
