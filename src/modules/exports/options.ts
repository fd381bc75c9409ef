import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parseDmsTime } from '../../lib/time.js';
import { parsePluginParam, zBool } from '../tickets/plugin-param.js';

/**
 * ExecuteDataExport `ActionDetail` (reference §5.2; JSON text, lower camel keys, PascalCase also
 * accepted). DMS keys: `fileType`, `encoding` ('' = UTF8), `mode` (FAST | NORMAL: both can be
 * stopped in OpenDMS), `startTime` (scheduled start). OpenDMS extensions, documented in
 * docs/exports.md: `password` (AES-256 zip), `csvBom`, `formulaEscape` (default true),
 * `jsonLines`, `unmappable` (`error` default | `replace` with '?').
 */
export const FILE_TYPES = ['SQL', 'XLSX', 'CSV', 'JSON', 'TXT'] as const;
export const ENCODINGS = ['UTF8', 'UTF8MB4', 'GB2312', 'ISO_8859_1', 'GBK', 'LATAIN1', 'CP1252'] as const;

const schema = z.object({
  fileType: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(FILE_TYPES)).default('CSV'),
  encoding: z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.toUpperCase() : v), z.enum(ENCODINGS).default('UTF8')),
  mode: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(['FAST', 'NORMAL'])).default('FAST'),
  startTime: z.string().optional(),
  transaction: zBool.optional(),
  password: z.string().min(8, 'at least 8 characters').max(128).optional(),
  csvBom: zBool.default(false),
  formulaEscape: zBool.default(true),
  jsonLines: zBool.default(false),
  unmappable: z.enum(['error', 'replace']).default('error'),
});

export type ExportOptions = Omit<z.infer<typeof schema>, 'startTime' | 'password'> & { startAt: number | null };

/** Validated options and the password apart (stored encrypted, never echoed). */
export function parseExportOptions(raw: unknown, timeZone: string, now: number): { options: ExportOptions; password: string | undefined } {
  const parsed = parsePluginParam(schema, raw ?? {}, 'ActionDetail');
  const { startTime, password, ...rest } = parsed;
  let startAt: number | null = null;
  if (startTime !== undefined && startTime.trim() !== '') {
    startAt = parseDmsTime(startTime, timeZone);
    if (startAt === null) throw new AppError('InvalidActionDetail', 'Specified parameter ActionDetail is not valid: startTime: expected yyyy-MM-dd HH:mm:ss.');
    if (startAt <= now) startAt = null; // a start in the past means "now"
  }
  return { options: { ...rest, startAt }, password };
}

export const FILE_EXTENSIONS: Readonly<Record<(typeof FILE_TYPES)[number], string>> = { SQL: 'sql', XLSX: 'xlsx', CSV: 'csv', JSON: 'json', TXT: 'txt' };
