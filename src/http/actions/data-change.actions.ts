import { dataChangeDetail, precheckDatabases, precheckStatements } from '../../modules/data-changes/detail.js';
import { modifyExecSql, retryPrecheck, skipRowCheck } from '../../modules/data-changes/control.js';
import { executeDataChange, pauseJobs, restartJobs } from '../../modules/data-changes/execution.js';
import { executedRows, jobLog, listJobBatches, listJobStatements, listTaskJobs, taskDetail } from '../../modules/data-changes/execution-detail.js';
import { backupFileTokens, ticketFileToken } from '../../modules/data-changes/files.js';
import { createRollbackOrders } from '../../modules/data-changes/rollback-order.js';
import { DETAIL_TYPES } from '../../modules/data-changes/family.js';
import { importConfigDetail } from '../presenters/data-import-detail.js';
import { cronConfigDetail } from '../presenters/data-cron-detail.js';
import { formatDmsTime, formatOptionalDmsTime } from '../../lib/time.js';
import { serverUrl } from './common.js';
import { dedicatedOrderAction } from './dedicated-order.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';
import { AppError } from '../../errors.js';

const GROUP = 'Data change';

const PAGE = {
  PageNumber: p.integer('1-based page number.').range(1, undefined).default(1),
  PageSize: p.integer('Rows per page (1-1000).').range(1, 1000).default(20),
};

export const dataChangeActions = [
  dedicatedOrderAction({
    name: 'CreateDataCorrectOrder',
    group: GROUP,
    pluginType: 'DC_COMMON',
    summary: 'Files a DC_COMMON (regular data change) ticket; its precheck starts at once.',
    coverage:
      'All parameters. Param keys DbItemList[{DbId, Logic}] (several databases and logical databases), SqlType TEXT|ATTACHMENT, ExecSQL or AttachmentName (an attachment key of the committer), EstimateAffectRows, Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName (the committer\'s own rollback, served by GetDataCorrectRollbackFile). DbItemList[].InstanceId is accepted and not used (instance-level changes are not supported). Response `CreateOrderResult[]`.',
    reason: 'The business reason of the change.',
    paramKeys: 'DbItemList, SqlType, ExecSQL, AttachmentName, EstimateAffectRows, Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName',
    attachmentNote: '; the SQL attachment is Param.AttachmentName',
  }),
  dedicatedOrderAction({
    name: 'CreateFreeLockCorrectOrder',
    group: GROUP,
    pluginType: 'DC_CHUNK',
    summary: 'Files a DC_CHUNK (lock-free data change) ticket: one UPDATE, DELETE or INSERT … SELECT, run after approval as many short transactions over key ranges.',
    coverage:
      'All parameters. Param keys DbItemList[{DbId, Logic}], SqlType (TEXT only, as documented), ExecSQL (exactly one statement; its precheck checks that it can run in key-range batches: a single table with a primary or unique NOT NULL key, no ORDER BY/LIMIT, the key not assigned), Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName. OpenDMS extensions: BatchRows (first batch size, default 1000, 1-100000), BatchMillis (target time per batch, default 500), SleepMillis (pause between batches, default 100). Response `CreateOrderResult[]`.',
    reason: 'The business reason of the change.',
    paramKeys: 'DbItemList, SqlType, ExecSQL, Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName; BatchRows, BatchMillis, SleepMillis, ReplicaInstanceId, MaxReplicaLagSeconds (OpenDMS)',
  }),
  defineAction({
    name: 'GetDataCorrectOrderDetail',
    group: GROUP,
    summary: 'A data change ticket: its databases, SQL, precheck steps and status.',
    coverage:
      'Fields of DC_COMMON: ConfigDetail.DetailType (COMMON; the cron fields of other types are absent; DC_BIG_FILE: BIG_FILE with FileType, FileEncoding as filed, CsvTableName and ImportExtConfig{CsvFirstRowIsColumnDef, IgnoreError, ImportMode, InsertType}, docs/data-imports.md), DatabaseList, ExecMode, OrderDetail (ActualAffectRows: the rows changed once executed, the precheck estimate before; ExeSQL is empty for SqlType ATTACHMENT; IgnoreAffectRows and IgnoreAffectRowsReason reflect SkipDataCorrectRowCheck), PreCheckDetail.TaskCheckDO[] with the four DMS steps plus SQL_REVIEW (the review rules, OpenDMS), and Status (new → precheck → precheckFailed | precheck_success, then the ticket: toaudit, Approved, reject, …). Adds `PreCheckDetail.Status`, `PreCheckDetail.Message` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req() },
    response:
      '`DataCorrectOrderDetail{ConfigDetail{DetailType}, DatabaseList.Database[]{DbId, DbType, EnvType, Logic, SearchName}, ExecMode, OrderDetail{ActualAffectRows, AttachmentName, Classify, EstimateAffectRows, ExeSQL, IgnoreAffectRows, IgnoreAffectRowsReason, RbAttachmentName, RbSQL, RbSQLType, SqlType}, PreCheckDetail.TaskCheckDO[]{CheckStatus, CheckStep, UserTip}, Status}`',
    handler: async (input, ctx) => {
      const d = await dataChangeDetail(ctx.deps, ctx.actor, input.OrderId);
      const pr = d.params;
      const executed = await executedRows(ctx.deps, input.OrderId);
      return {
        DataCorrectOrderDetail: {
          ConfigDetail: { DetailType: DETAIL_TYPES[d.pluginType], ...importConfigDetail(d.pluginType, d.params), ...(await cronConfigDetail(ctx.deps, d.pluginType, input.OrderId, d.params)) },
          DatabaseList: { Database: d.databases.map((db) => ({ DbId: db.dbId, DbType: db.dbType, EnvType: db.envType, Logic: db.logic, SearchName: db.searchName })) },
          ExecMode: d.execMode,
          OrderDetail: {
            ActualAffectRows: executed ?? d.precheck?.estimated_rows ?? undefined,
            AttachmentName: pr.attachmentName ?? '',
            Classify: pr.classify ?? '',
            EstimateAffectRows: pr.estimateAffectRows ?? undefined,
            ExeSQL: pr.sqlType === 'TEXT' ? (pr.execSQL ?? '') : '',
            IgnoreAffectRows: d.precheck?.row_check_skipped === 1,
            IgnoreAffectRowsReason: d.precheck?.skip_reason ?? '',
            RbAttachmentName: pr.rbAttachmentName ?? '',
            RbSQL: pr.rbSQL ?? '',
            RbSQLType: pr.rbSQLType ?? 'TEXT',
            SqlType: pr.sqlType,
          },
          PreCheckDetail: {
            TaskCheckDO: d.steps.map((s) => ({ CheckStatus: s.status, CheckStep: s.step, UserTip: s.user_tip ?? '' })),
            Status: d.precheck?.status ?? 'RUNNING',
            Message: d.precheck?.message ?? undefined,
          },
          Status: d.status,
        },
      };
    },
  }),
  defineAction({
    name: 'ListDataCorrectPreCheckDB',
    group: GROUP,
    summary: 'The physical databases of the latest precheck, with their statement counts.',
    coverage: 'All parameters and fields. A logical database lists each member. Adds `TotalCount` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req(), ...PAGE },
    response: '`PreCheckDBList[]{DbId, SearchName, SqlNum}`',
    handler: async (input, ctx) => {
      const r = await precheckDatabases(ctx.deps, ctx.actor, input.OrderId, { number: input.PageNumber, size: input.PageSize });
      return { PreCheckDBList: r.items.map((d) => ({ DbId: d.dbId, SearchName: d.searchName, SqlNum: d.sqlNum })), TotalCount: r.totalCount };
    },
  }),
  defineAction({
    name: 'ListDataCorrectPreCheckSQL',
    group: GROUP,
    summary: 'Per statement and database: its kind, tables, estimated rows and review status.',
    coverage:
      'All parameters. SqlReviewStatus: PASS, BLOCK (an ERROR finding), WAITING (not reviewed: the precheck is running or stopped at an earlier step); warnings keep PASS and are listed in `Findings`. SQLReviewQueryKey is not returned (GetSQLReviewOptimizeDetail does not exist). Adds `Position`, `Line`, `Exact` (counted rather than estimated), `Findings[]{RuleId, Level, Message}`, `Message` (why a step refused the statement) and `TotalCount` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req(), DbId: p.long('Only this physical database.'), ...PAGE },
    response: '`PreCheckSQLList[]{AffectRows, CheckSQL, DbId, SqlReviewStatus, SqlType, TableNames}`',
    handler: async (input, ctx) => {
      const r = await precheckStatements(ctx.deps, ctx.actor, input.OrderId, input.DbId, { number: input.PageNumber, size: input.PageSize });
      return {
        PreCheckSQLList: r.items.map((s) => ({
          AffectRows: s.affectRows ?? undefined,
          CheckSQL: s.sql,
          DbId: s.dbId,
          SqlReviewStatus: s.reviewStatus === 'WARNING' ? 'PASS' : s.reviewStatus,
          SqlType: s.sqlType,
          TableNames: s.tableNames,
          Position: s.position,
          Line: s.line,
          Exact: s.exact,
          Findings: s.findings.map((f) => ({ RuleId: f.ruleId, Level: f.level, Message: f.message })),
          Message: s.message ?? undefined,
        })),
        TotalCount: r.totalCount,
      };
    },
  }),
  defineAction({
    name: 'RetryDataCorrectPreCheck',
    group: GROUP,
    summary: 'Runs the precheck of a data change ticket again (a new run; the previous one stays on record).',
    coverage: 'All parameters. By the committer, before submission (status new), not while a precheck runs. A row-check skip carries over to the new run.',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req() },
    response: 'common fields',
    handler: async (input, ctx) => {
      await retryPrecheck(ctx.deps, ctx.actor, input.OrderId, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'SkipDataCorrectRowCheck',
    group: GROUP,
    summary: 'Skips the row-count check of the precheck, with a reason.',
    coverage:
      'All parameters. By the committer, before submission. Settles the current precheck without re-running it: a ROW_CHECK that failed only because the rows exceed EstimateAffectRows turns SUCCESS and the precheck passes when no other step failed; a running precheck applies the skip when it finishes. A ROW_CHECK failed because the database refused a statement stays failed. Recorded as ticket event PRECHECK_SKIP_ROW_CHECK.',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req(), Reason: p.string('Why the row check is skipped.').req().maxLen(1000) },
    response: 'common fields',
    handler: async (input, ctx) => {
      await skipRowCheck(ctx.deps, ctx.actor, input.OrderId, input.Reason, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'ModifyDataCorrectExecSQL',
    group: GROUP,
    summary: 'Replaces the SQL of a data change ticket before it is submitted; a new precheck runs.',
    coverage: 'All parameters. By the committer, while the ticket is new and no precheck runs. The ticket\'s SqlType becomes TEXT (an attachment is replaced by the text); a row-check skip does not carry over to the new SQL. Recorded as ticket event SQL_MODIFIED.',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req(), ExecSQL: p.string('The new SQL script.').req() },
    response: 'common fields',
    handler: async (input, ctx) => {
      await modifyExecSql(ctx.deps, ctx.actor, input.OrderId, input.ExecSQL, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'ExecuteDataCorrect',
    group: GROUP,
    summary: 'Starts an approved data change: one job per physical database, each statement exactly once, with a backup.',
    coverage:
      'All parameters. ActionDetail keys startTime (scheduled start), endTime (a statement not started by then is not started: its job fails and can be restarted), transaction (all statements of a database in one transaction; default false: one per statement), backupData (default true). By the executor of ExecMode COMMITOR or LAST_AUDITOR; ExecMode AUTO starts at approval. Runs what the passed precheck checked. See docs/data-changes.md.',
    acceptsRealLoginUser: true,
    params: {
      OrderId: p.long('Ticket id.').req(),
      ActionDetail: p.json('Execution options, a JSON object: startTime, endTime, transaction, backupData.'),
    },
    response: 'common fields; adds `DBTaskGroupId` (OpenDMS)',
    handler: async (input, ctx) => ({ DBTaskGroupId: await executeDataChange(ctx.deps, ctx.actor, input.OrderId, input.ActionDetail, ctx.requestId) }),
  }),
  defineAction({
    name: 'GetDataCorrectTaskDetail',
    group: GROUP,
    summary: 'The execution of a data change: its task id, status and rows changed.',
    coverage:
      'All parameters and fields (note the lowercase `jobStatus`). jobStatus: RUNNING while a job runs, else BE_SCHEDULED (waiting for its start), FAIL, PAUSE, SUCCESS (all jobs). Before execution the ticket has no task: ErrorCode InvalidStatus.',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`DataCorrectTaskDetail{ActualAffectRows, CreateTime, DBTaskGroupId, jobStatus}`',
    handler: async (input, ctx) => {
      const t = await taskDetail(ctx.deps, ctx.actor, input.OrderId);
      if (!t) throw new AppError('InvalidStatus', `Ticket ${input.OrderId} has not been executed yet.`);
      return { DataCorrectTaskDetail: { ActualAffectRows: t.affectedRows, CreateTime: formatDmsTime(t.createdAt, ctx.deps.config.timezone), DBTaskGroupId: t.taskId, jobStatus: t.status } };
    },
  }),
  defineAction({
    name: 'ListDBTaskSQLJob',
    group: GROUP,
    summary: 'The SQL jobs of an execution (one per physical database) with their status.',
    coverage:
      'All parameters and fields for data change tasks. JobType is DATA_CORRECT. LastExecTime: when the job last finished (or started). Adds `AffectRows`, `Message` (why it failed or paused) and `LogicDbId` (OpenDMS).',
    params: { DBTaskGroupId: p.long('Task id (GetDataCorrectTaskDetail DBTaskGroupId).').req(), ...PAGE },
    response: '`DBTaskSQLJobList[]{Comment, CreateTime, DbId, DbSearchName, DbTaskGroupId, JobId, JobType, LastExecTime, Logic, Status, Transactional}`, `TotalCount`',
    handler: async (input, ctx) => {
      const tz = ctx.deps.config.timezone;
      const r = await listTaskJobs(ctx.deps, ctx.actor, input.DBTaskGroupId, { number: input.PageNumber, size: input.PageSize });
      return {
        DBTaskSQLJobList: r.items.map((j) => ({
          Comment: j.comment,
          CreateTime: formatDmsTime(j.row.created_at, tz),
          DbId: j.row.db_id,
          DbSearchName: j.searchName,
          DbTaskGroupId: j.row.task_id,
          JobId: j.row.id,
          JobType: 'DATA_CORRECT',
          LastExecTime: formatOptionalDmsTime(j.lastExecAt, tz),
          Logic: false,
          Status: j.row.status,
          Transactional: j.row.transactional === 1,
          AffectRows: Number(j.row.affected_rows),
          Message: j.row.message ?? undefined,
          LogicDbId: j.row.logic_db_id ?? undefined,
        })),
        TotalCount: r.totalCount,
      };
    },
  }),
  defineAction({
    name: 'ListDBTaskSQLJobDetail',
    group: GROUP,
    summary: 'Per statement of one SQL job: status, rows changed, times, and how often it was sent.',
    coverage:
      'All parameters and fields. Status per statement: INIT (not run), RUNNING, SUCCESS, FAIL. ExecuteCount: times it was sent to the database (a statement that committed is never sent again). TimeDelay: milliseconds. Log: why it failed. Skip is always false. Adds `BackupRows` and `RollbackNote` (why no rollback can be generated) (OpenDMS).',
    params: { JobId: p.long('SQL job id (ListDBTaskSQLJob).').req(), ...PAGE },
    response: '`DBTaskSQLJobDetailList[]{AffectRows, CurrentSql, DbId, EndTime, ExecuteCount, JobDetailId, JobId, Log, Logic, Skip, SqlId, SqlType, StartTime, Status, TimeDelay}`, `TotalCount`',
    handler: async (input, ctx) => {
      const tz = ctx.deps.config.timezone;
      const r = await listJobStatements(ctx.deps, ctx.actor, input.JobId, { number: input.PageNumber, size: input.PageSize });
      return {
        DBTaskSQLJobDetailList: r.rows.map((s) => ({
          AffectRows: s.affected_rows === null ? 0 : Number(s.affected_rows),
          CurrentSql: s.sql,
          DbId: r.job.db_id,
          EndTime: formatOptionalDmsTime(s.finished_at, tz),
          ExecuteCount: s.execute_count,
          JobDetailId: s.id,
          JobId: s.job_id,
          Log: s.message ?? '',
          Logic: false,
          Skip: false,
          SqlId: s.position,
          SqlType: s.sql_type,
          StartTime: formatOptionalDmsTime(s.started_at, tz),
          Status: s.status,
          TimeDelay: s.elapsed_ms === null ? undefined : Number(s.elapsed_ms),
          BackupRows: s.backup_rows === null ? undefined : Number(s.backup_rows),
          RollbackNote: s.rollback_note ?? undefined,
        })),
        TotalCount: r.totalCount,
      };
    },
  }),
  defineAction({
    name: 'ListDataCorrectChunkBatches',
    group: GROUP,
    extension: true,
    summary: 'The batches of a chunked SQL job (DC_CHUNK, DC_CRON_CLEAR), newest first: key range, rows, time, backup; visible while it runs.',
    coverage: 'OpenDMS extension (DMS shows this progress only in its console).',
    params: { JobId: p.long('SQL job id (ListDBTaskSQLJob).').req(), ...PAGE },
    response: '`ChunkBatchList[]{SqlId, BatchNo, LowerKey, UpperKey, Status, BatchRows, AffectRows, StartTime, EndTime, ElapsedMillis, BackupRows}`, `TotalCount`',
    handler: async (input, ctx) => {
      const { totalCount, rows } = await listJobBatches(ctx.deps, ctx.actor, input.JobId, { number: input.PageNumber, size: input.PageSize });
      const tz = ctx.deps.config.timezone;
      return {
        TotalCount: totalCount,
        ChunkBatchList: rows.map((b) => ({
          SqlId: b.position,
          BatchNo: b.batch_no,
          LowerKey: b.lower_key === null ? null : JSON.parse(b.lower_key),
          UpperKey: b.upper_key === null ? null : JSON.parse(b.upper_key),
          Status: b.status,
          BatchRows: b.batch_rows,
          AffectRows: b.affected_rows === null ? undefined : Number(b.affected_rows),
          StartTime: formatDmsTime(Number(b.started_at), tz),
          EndTime: formatOptionalDmsTime(b.finished_at === null ? null : Number(b.finished_at), tz),
          ElapsedMillis: b.elapsed_ms === null ? undefined : Number(b.elapsed_ms),
          BackupRows: b.backup_rows === null ? undefined : Number(b.backup_rows),
        })),
      };
    },
  }),
  defineAction({
    name: 'GetDBTaskSQLJobLog',
    group: GROUP,
    summary: 'The log of one SQL job: scheduling, each statement, interruptions, pauses and failures.',
    coverage: 'All parameters and fields. One line per event, `yyyy-MM-dd HH:mm:ss [LEVEL] message`; the newest 2,000 lines.',
    params: { JobId: p.long('SQL job id (ListDBTaskSQLJob).').req() },
    response: '`Log` (string)',
    handler: async (input, ctx) => ({ Log: await jobLog(ctx.deps, ctx.actor, input.JobId, (at) => formatDmsTime(at, ctx.deps.config.timezone)) }),
  }),
  defineAction({
    name: 'PauseDataCorrectSQLJob',
    group: GROUP,
    summary: 'Pauses one (SINGLE) or all (ALL) SQL jobs of a data change: a waiting job at once, a running one before its next statement.',
    coverage: 'All parameters. By the committer, the executor, an ADMIN or a DBA. A job running all its statements in one transaction (ActionDetail.transaction) can only be paused before it starts. The ticket stays processing while a job is paused.',
    params: { OrderId: p.long('Ticket id.').req(), Type: p.enum(['ALL', 'SINGLE'], 'ALL or SINGLE (with JobId).', true).req(), JobId: p.long('SQL job id (Type SINGLE).') },
    response: 'common fields',
    handler: async (input, ctx) => {
      await pauseJobs(ctx.deps, ctx.actor, input.OrderId, input.Type.toUpperCase() as 'ALL' | 'SINGLE', input.JobId, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'RestartDataCorrectSQLJob',
    group: GROUP,
    summary: 'Runs failed or paused SQL jobs again (SINGLE with JobId, or ALL), from their first statement that did not commit.',
    coverage: 'All parameters. By the executor. A failed ticket returns to processing. Statements that committed are never run again (their marker rows in the target database prove it).',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req(), Type: p.enum(['ALL', 'SINGLE'], 'ALL or SINGLE (with JobId).', true).req(), JobId: p.long('SQL job id (Type SINGLE).') },
    response: 'common fields',
    handler: async (input, ctx) => {
      await restartJobs(ctx.deps, ctx.actor, input.OrderId, input.Type.toUpperCase() as 'ALL' | 'SINGLE', input.JobId, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'GetDataCorrectBackupFiles',
    group: GROUP,
    summary: 'Signed, expiring URLs of the backups taken before each change, one file per database job.',
    coverage:
      'All parameters and fields. ActionDetail is accepted and not used. Each file is JSON Lines: per statement a header (table, key, columns) and the rows as they were before it (UPDATE/DELETE), or the keys it inserted (INSERT); see docs/data-changes.md. URLs last OPENDMS_DOWNLOAD_URL_TTL_SECONDS.',
    params: { OrderId: p.long('Ticket id.').req(), ActionDetail: p.json('Accepted, not used.') },
    response: '`DataCorrectBackupFiles.FileUrl[]`',
    handler: async (input, ctx) => {
      const tokens = await backupFileTokens(ctx.deps, ctx.actor, input.OrderId);
      return { DataCorrectBackupFiles: { FileUrl: tokens.map((t) => serverUrl(ctx, `/api/data-changes/${t}`)) } };
    },
  }),
  defineAction({
    name: 'GetDataCorrectSQLFile',
    group: GROUP,
    summary: 'A signed, expiring URL of the change script as filed.',
    coverage: 'All parameters and fields.',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`FileUrl` (string)',
    handler: async (input, ctx) => ({ FileUrl: serverUrl(ctx, `/api/data-changes/${await ticketFileToken(ctx.deps, ctx.actor, input.OrderId, 'sql')}`) }),
  }),
  defineAction({
    name: 'GetDataCorrectRollbackFile',
    group: GROUP,
    summary: "A signed, expiring URL of the rollback script: the committer's own, or the one generated from the backups.",
    coverage:
      "All parameters and fields. The committer's RollbackSQL / RollbackAttachmentName when given; otherwise, once executed, SQL generated from the backups in each database's dialect (a section per database, statements undone in reverse order; statements that cannot be undone are named in comments).",
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`FileUrl` (string)',
    handler: async (input, ctx) => ({ FileUrl: serverUrl(ctx, `/api/data-changes/${await ticketFileToken(ctx.deps, ctx.actor, input.OrderId, 'rollback')}`) }),
  }),
  defineAction({
    name: 'CreateRollbackOrder',
    group: GROUP,
    extension: true,
    summary: 'Files, per database of an executed data change, a new DC_COMMON ticket with the rollback generated from its backup.',
    coverage:
      'OpenDMS extension. OrderId: the executed ticket; DbId: only that physical database. Refused while a job runs, or when a changed statement cannot be undone from its backup (the reason is named). The new tickets are linked to the original (ListOrderEvents ROLLBACK_FILED) and go through precheck and approval.',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('The executed data change ticket.').req(), DbId: p.long('Only this physical database.') },
    response: '`CreateOrderResult[]` (long)',
    handler: async (input, ctx) => ({ CreateOrderResult: await createRollbackOrders(ctx.deps, ctx.actor, input.OrderId, input.DbId, ctx.requestId) }),
  }),
];
