import { importPrecheckUnits, importSql, importSqlTypes } from '../../modules/data-imports/import-detail.js';
import { dedicatedOrderAction } from './dedicated-order.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Data import';

export const dataImportActions = [
  dedicatedOrderAction({
    name: 'CreateDataImportOrder',
    group: GROUP,
    pluginType: 'DC_BIG_FILE',
    summary: 'Files a DC_BIG_FILE (bulk data import) ticket from an uploaded SQL or CSV file; its precheck starts at once.',
    coverage:
      'All parameters. Param keys DbItemList (exactly one physical database), AttachmentName (an attachment key of the committer), FileType SQL|CSV, FileEncoding AUTO|UTF-8|GBK|ISO-8859-1 (AUTO: byte-order mark, else valid UTF-8, else GBK), TableName, CsvFirstRowIsColumnDef and InsertType INSERT|INSERT_IGNORE|REPLACE_INTO (required for CSV), ImportMode SAFE_MODE (default; the whole file is checked at precheck) | FAST_MODE, IgnoreError, Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName. Runs with ExecuteDataCorrect and the SQL job Actions; see docs/data-imports.md. Response `CreateOrderResult[]`.',
    reason: 'The business reason of the import.',
    paramKeys: 'DbItemList, AttachmentName, FileType, FileEncoding, TableName, CsvFirstRowIsColumnDef, InsertType, ImportMode, IgnoreError, Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName',
    attachmentNote: '; the file to import is Param.AttachmentName',
  }),
  defineAction({
    name: 'GetDataImportSQL',
    group: GROUP,
    summary: 'The SQL of one statement (SQL file) or batch (CSV) of a SAFE_MODE import, as it runs.',
    coverage:
      'All parameters and fields. SqlId as ListDataImportSQLPreCheckDetail gives it: a SQL file\'s statement number, or a CSV batch number (its multi-row INSERT in the database\'s dialect, with the rows the check refused named in comments; PostgreSQL runs the same rows as INSERT … SELECT FROM unnest of one array per column). Read again from the file, not stored. FAST_MODE tickets: InvalidStatus.',
    params: { OrderId: p.long('Ticket id.').req(), SqlId: p.long('Statement or batch number (ListDataImportSQLPreCheckDetail SqlId).').req().range(1, undefined) },
    response: '`SQLDetail{ExecSql}`',
    handler: async (input, ctx) => ({ SQLDetail: { ExecSql: await importSql(ctx.deps, ctx.actor, input.OrderId, input.SqlId) } }),
  }),
  defineAction({
    name: 'ListDataImportSQLPreCheckDetail',
    group: GROUP,
    summary: 'What the SAFE_MODE precheck found per statement (SQL file) or batch of rows (CSV).',
    coverage:
      'All parameters and fields; the page number is `PageNumer` (sic, as on the wire). StatusCode SUCCESS (checked) or FAIL (a refused statement, or a batch holding rows that do not fit their columns); Skip is true for statements that are not run (SET NAMES / client_encoding: OpenDMS decodes the file itself); the bad rows an IgnoreError import skips are named in `Message`. Adds `Line`, `LastLine`, `Rows` and `Message` (why a unit failed) (OpenDMS). FAST_MODE tickets: InvalidStatus.',
    params: {
      OrderId: p.long('Ticket id.').req(),
      PageNumer: p.integer('1-based page number (spelt PageNumer on the wire).').range(1, undefined).default(1),
      PageSize: p.integer('Rows per page (1-1000).').range(1, 1000).default(20),
      SqlType: p.string('Only units of this statement type (INSERT, UPDATE, …).').maxLen(40),
      StatusCode: p.enum(['INIT', 'RUNNING', 'SUCCESS', 'TIMEOUT', 'FAIL'], 'Only units with this status (the precheck sets SUCCESS or FAIL).', true),
    },
    response: '`PreCheckSQLDetailList[]{Skip, SqlId, SqlType, StatusCode}`, `TotalCount`',
    handler: async (input, ctx) => {
      const status = input.StatusCode === 'SUCCESS' || input.StatusCode === 'FAIL' ? input.StatusCode : undefined;
      if (input.StatusCode !== undefined && status === undefined) return { PreCheckSQLDetailList: [], TotalCount: 0 };
      const r = await importPrecheckUnits(ctx.deps, ctx.actor, input.OrderId, { sqlType: input.SqlType?.toUpperCase(), status }, { number: input.PageNumer, size: input.PageSize });
      return {
        PreCheckSQLDetailList: r.items.map((u) => ({
          Skip: u.skip,
          SqlId: u.sqlId,
          SqlType: u.sqlType,
          StatusCode: u.status,
          Line: u.line,
          LastLine: u.lastLine,
          Rows: u.rows,
          Message: u.message ?? undefined,
        })),
        TotalCount: r.totalCount,
      };
    },
  }),
  defineAction({
    name: 'ListDataImportSQLType',
    group: GROUP,
    summary: 'The statement types found in the file of a SAFE_MODE import.',
    coverage: 'All parameters and fields (a bare array of strings, sorted). A CSV import gives INSERT. FAST_MODE tickets: InvalidStatus.',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`SqlTypeResult[]` (string)',
    handler: async (input, ctx) => ({ SqlTypeResult: await importSqlTypes(ctx.deps, ctx.actor, input.OrderId) }),
  }),
];
