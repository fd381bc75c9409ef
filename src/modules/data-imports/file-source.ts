/**
 * The file of an import: the attachment the committer uploaded (Param.AttachmentName), streamed
 * from the file store. Filing checked that it exists and is the committer's; once a ticket
 * references it, the attachment purge keeps it.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import { decoderStream, detectEncoding, type ResolvedEncoding } from './encoding.js';
import type { FileEncoding } from '../tickets/types/dc-big-file.type.js';

export interface ImportFile {
  storageKey: string;
  size: number;
}

export async function findImportFile(deps: Deps, tenantId: number, attachmentKey: string): Promise<ImportFile> {
  const row = await deps.db.selectFrom('attachment').select(['storage_key', 'tenant_id']).where('attachment_key', '=', attachmentKey).executeTakeFirst();
  if (!row || row.tenant_id !== tenantId) throw new AppError('InvalidAttachmentName', `The attachment ${attachmentKey} of the ticket no longer exists.`);
  const stat = await deps.files.stat(row.storage_key);
  if (!stat) throw new AppError('InvalidAttachmentName', `The file of attachment ${attachmentKey} is missing from the file store.`);
  return { storageKey: row.storage_key, size: stat.size };
}

async function openBytes(deps: Deps, file: ImportFile): Promise<Readable> {
  const got = await deps.files.get(file.storageKey);
  if (!got) throw new AppError('InvalidAttachmentName', 'The file of the import is missing from the file store.');
  return got.stream;
}

/** The declared encoding, or the one AUTO detects (a pass over the file's bytes). */
export async function resolveEncoding(deps: Deps, file: ImportFile, declared: FileEncoding): Promise<ResolvedEncoding> {
  if (declared !== 'AUTO') return declared;
  return detectEncoding(await openBytes(deps, file));
}

/**
 * The file as text chunks, decoded as it is read: memory stays flat whatever the size. `consume`
 * reads the chunks; when it returns early or throws, the file stream is closed.
 */
export async function withFileText<T>(deps: Deps, file: ImportFile, encoding: ResolvedEncoding, consume: (text: Readable) => Promise<T>): Promise<T> {
  const bytes = await openBytes(deps, file);
  const decoder = decoderStream(encoding);
  const piping = pipeline(bytes, decoder).catch((e: unknown) => {
    decoder.destroy(e as Error);
  });
  try {
    return await consume(decoder);
  } finally {
    bytes.destroy();
    decoder.destroy();
    await piping;
  }
}
