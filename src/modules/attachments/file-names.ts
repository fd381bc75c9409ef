import { randomUUID } from 'node:crypto';
import { invalidParam } from '../../errors.js';

/** DMS FileSource: what the file is for (reference §8). */
export const FILE_SOURCES = ['datacorrect', 'order_info_attachment', 'big-file', 'sqlreview'] as const;
export type FileSource = (typeof FILE_SOURCES)[number];

/** DMS accepts .sql and .txt; bulk imports (`big-file`) obviously need .csv too. */
function allowedExtensions(source: FileSource): readonly string[] {
  return source === 'big-file' ? ['.sql', '.txt', '.csv'] : ['.sql', '.txt'];
}

/**
 * A FileName is a bare name (no folder, no control characters) with an extension allowed for its
 * FileSource. It is only ever used as a label (Content-Disposition) and, sanitized, inside the
 * AttachmentKey; never as a path.
 */
export function checkFileName(name: string, source: FileSource): void {
  if (name.trim() === '' || name.length > 255) throw invalidParam('FileName', 'expected a file name of 1 to 255 characters.');
  if (/[/\\]/.test(name)) throw invalidParam('FileName', 'expected a bare file name, without "/" or "\\".');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalidParam('FileName', 'control characters are not allowed.');
  const dot = name.lastIndexOf('.');
  const ext = dot <= 0 ? '' : name.slice(dot).toLowerCase();
  const allowed = allowedExtensions(source);
  if (!allowed.includes(ext)) {
    throw invalidParam('FileName', `a ${source} file must end in ${allowed.join(', ')}; got "${name.slice(0, 80)}".`);
  }
}

export function isFileSource(s: string): s is FileSource {
  return (FILE_SOURCES as readonly string[]).includes(s);
}

/**
 * A new DMS-style AttachmentKey, `upload_<uuid>_<file name>`, the name reduced to characters safe
 * in keys, paths and URLs (and to its last 100, which keeps the extension).
 */
export function newAttachmentKey(fileName: string): string {
  const safe = fileName.replace(/[^A-Za-z0-9._-]/g, '_').slice(-100);
  return `upload_${randomUUID()}_${safe}`;
}

/** Where the file store keeps an attachment: one folder per tenant. */
export function attachmentStorageKey(tenantId: number, attachmentKey: string): string {
  return `attachments/${tenantId}/${attachmentKey}`;
}
