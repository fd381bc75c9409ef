import type { StoreMigration } from './helpers.js';
import { m0001 } from './0001_identity.js';
import { m0002 } from './0002_jobs.js';
import { m0003 } from './0003_instances.js';
import { m0004 } from './0004_tickets.js';
import { m0005 } from './0005_attachments.js';
import { m0006 } from './0006_approvals.js';
import { m0007 } from './0007_upload_jobs.js';
import { m0008 } from './0008_webhooks.js';
import { m0009 } from './0009_data_exports.js';
import { m0010 } from './0010_data_changes.js';
import { m0011 } from './0011_review_settings.js';
import { m0012 } from './0012_data_change_execution.js';
import { m0013 } from './0013_schema_design.js';
import { m0014 } from './0014_chunk_batches.js';
import { m0015 } from './0015_data_import.js';
import { m0016 } from './0016_data_cron.js';
import { m0017 } from './0017_console_sessions.js';

/**
 * Every migration, in order. Forward-only and immutable once released: add a new file, never edit
 * an old one. Names sort in execution order.
 */
export const MIGRATIONS: ReadonlyArray<readonly [string, StoreMigration]> = [
  ['0001_identity', m0001],
  ['0002_jobs', m0002],
  ['0003_instances', m0003],
  ['0004_tickets', m0004],
  ['0005_attachments', m0005],
  ['0006_approvals', m0006],
  ['0007_upload_jobs', m0007],
  ['0008_webhooks', m0008],
  ['0009_data_exports', m0009],
  ['0010_data_changes', m0010],
  ['0011_review_settings', m0011],
  ['0012_data_change_execution', m0012],
  ['0013_schema_design', m0013],
  ['0014_chunk_batches', m0014],
  ['0015_data_import', m0015],
  ['0016_data_cron', m0016],
  ['0017_console_sessions', m0017],
];
