import { notNull, type StoreMigration } from './helpers.js';

/**
 * Bulk data import (DC_BIG_FILE, modules/data-imports/): what each precheck run learnt about the
 * file (`dc_import`), and in SAFE_MODE one row per statement or batch it checked (`dc_import_sql`,
 * ListDataImportSQLPreCheckDetail). Execution uses the data-change tables of migration 0012.
 */
export const m0015: StoreMigration = {
  async up(db) {
    await db.schema
      .createTable('dc_import')
      .addColumn('precheck_id', 'bigint', (c) => c.primaryKey().references('dc_precheck.id'))
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('encoding', 'text', notNull)
      .addColumn('file_bytes', 'bigint', notNull)
      .addColumn('rows', 'bigint')
      .addColumn('bad_rows', 'bigint')
      .addColumn('batch_rows', 'integer', notNull)
      .addColumn('batch_chars', 'integer', notNull)
      .execute();

    await db.schema
      .createTable('dc_import_sql')
      .addColumn('precheck_id', 'bigint', (c) => c.notNull().references('dc_precheck.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('line', 'integer', notNull)
      .addColumn('last_line', 'integer', notNull)
      .addColumn('sql_type', 'text', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('rows', 'bigint', notNull)
      .addColumn('message', 'text')
      .addPrimaryKeyConstraint('dc_import_sql_pk', ['precheck_id', 'position'])
      .execute();
  },
};
