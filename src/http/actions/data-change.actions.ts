import { dataChangeDetail, precheckDatabases, precheckStatements } from '../../modules/data-changes/detail.js';
import { retryPrecheck, skipRowCheck } from '../../modules/data-changes/control.js';
import { createTicket } from '../../modules/tickets/tickets.js';
import { userIds } from './common.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Data change';

const PAGE = {
  PageNumber: p.integer('1-based page number.').range(1, undefined).default(1),
  PageSize: p.integer('Rows per page (1-1000).').range(1, 1000).default(20),
};

export const dataChangeActions = [
  defineAction({
    name: 'CreateDataCorrectOrder',
    group: GROUP,
    summary: 'Files a DC_COMMON (regular data change) ticket; its precheck starts at once.',
    coverage:
      'All parameters. Param keys DbItemList[{DbId, Logic}] (several databases and logical databases), SqlType TEXT|ATTACHMENT, ExecSQL or AttachmentName (an attachment key of the committer), EstimateAffectRows, Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName (stored; rollback is not implemented yet). DbItemList[].InstanceId is accepted and not used (instance-level changes are not supported). Execution (ExecuteDataCorrect) is not implemented yet. Response `CreateOrderResult[]`.',
    acceptsRealLoginUser: true,
    params: {
      Comment: p.string('The business reason of the change.').req(),
      Param: p.json('DbItemList, SqlType, ExecSQL, AttachmentName, EstimateAffectRows, Classify, ExecMode, RollbackSqlType, RollbackSQL, RollbackAttachmentName (PascalCase JSON).').req(),
      RelatedUserList: p.list('DMS user ids who may follow the ticket (JSON array or comma-separated).'),
      AttachmentKey: p.string('Key of an uploaded attachment (a ticket attachment; the SQL attachment is Param.AttachmentName).'),
    },
    response: '`CreateOrderResult[]` (long)',
    handler: async (input, ctx) => {
      const id = await createTicket(ctx.deps, ctx.actor, {
        pluginType: 'DC_COMMON',
        comment: input.Comment,
        params: input.Param,
        paramName: 'Param',
        relatedUserIds: userIds(input.RelatedUserList, 'RelatedUserList'),
        attachmentKey: input.AttachmentKey,
        requestId: ctx.requestId,
      });
      return { CreateOrderResult: [id] };
    },
  }),
  defineAction({
    name: 'GetDataCorrectOrderDetail',
    group: GROUP,
    summary: 'A data change ticket: its databases, SQL, precheck steps and status.',
    coverage:
      'Fields of DC_COMMON: ConfigDetail.DetailType (COMMON; the cron and import fields of other types are absent), DatabaseList, ExecMode, OrderDetail (ActualAffectRows is the precheck estimate until execution exists; ExeSQL is empty for SqlType ATTACHMENT; IgnoreAffectRows and IgnoreAffectRowsReason reflect SkipDataCorrectRowCheck), PreCheckDetail.TaskCheckDO[] with the four DMS steps plus SQL_REVIEW (the review rules, OpenDMS), and Status (new → precheck → precheckFailed | precheck_success, then the ticket: toaudit, Approved, reject, …). Adds `PreCheckDetail.Status`, `PreCheckDetail.Message` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req() },
    response:
      '`DataCorrectOrderDetail{ConfigDetail{DetailType}, DatabaseList.Database[]{DbId, DbType, EnvType, Logic, SearchName}, ExecMode, OrderDetail{ActualAffectRows, AttachmentName, Classify, EstimateAffectRows, ExeSQL, IgnoreAffectRows, IgnoreAffectRowsReason, RbAttachmentName, RbSQL, RbSQLType, SqlType}, PreCheckDetail.TaskCheckDO[]{CheckStatus, CheckStep, UserTip}, Status}`',
    handler: async (input, ctx) => {
      const d = await dataChangeDetail(ctx.deps, ctx.actor, input.OrderId);
      const pr = d.params;
      return {
        DataCorrectOrderDetail: {
          ConfigDetail: { DetailType: 'COMMON' },
          DatabaseList: { Database: d.databases.map((db) => ({ DbId: db.dbId, DbType: db.dbType, EnvType: db.envType, Logic: db.logic, SearchName: db.searchName })) },
          ExecMode: d.execMode,
          OrderDetail: {
            ActualAffectRows: d.precheck?.estimated_rows ?? undefined,
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
];
