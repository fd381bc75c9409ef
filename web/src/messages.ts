/**
 * The console's texts in English and Simplified Chinese ({name} is replaced), one file per area
 * under messages/. A key must be defined in one area only (checked by messages.test.ts).
 */
import * as core from './messages/core.js';
import * as dataChange from './messages/data-change.js';
import * as schemaDesign from './messages/schema-design.js';
import * as admin from './messages/admin.js';
import * as databases from './messages/databases.js';

const AREAS = { core, dataChange, schemaDesign, admin, databases };

export const en = { ...core.en, ...dataChange.en, ...schemaDesign.en, ...admin.en, ...databases.en };

export type MessageKey = keyof typeof en;

export const zh: Record<MessageKey, string> = { ...core.zh, ...dataChange.zh, ...schemaDesign.zh, ...admin.zh, ...databases.zh };

/** Keys defined by more than one area (a later area would silently replace an earlier one's text). */
export function duplicateKeys(): string[] {
  const seen = new Map<string, number>();
  for (const area of Object.values(AREAS)) for (const k of Object.keys(area.en)) seen.set(k, (seen.get(k) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}
