import { formatDmsTime, formatOptionalDmsTime } from '../../lib/time.js';
import { addChange, listDesignChanges, removeChange, updateChange, type ChangeView } from '../../modules/schema-design/design.js';
import { setTenantFlow, tenantFlow, flowNodes } from '../../modules/schema-design/flow.js';
import { createPublish, previewPublish, restartPublish, riskOf } from '../../modules/schema-design/publish.js';
import type { FlowConfig } from '../../modules/schema-design/design.table.js';
import { auditStatus, projectFlow, projectInfo, publishRecords } from '../../modules/schema-design/views.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Schema design';

const changeOut = (c: ChangeView) => ({
  ChangeId: c.row.id,
  Position: c.row.position,
  SQL: c.row.sql,
  Kind: c.row.kind,
  TableName: c.row.table_name,
  AppliedToBase: c.row.applied_to_base === 1,
  Findings: c.findings.map((f) => ({ RuleId: f.ruleId, Level: f.level, Message: f.message })),
});

const flowOut = (flow: FlowConfig) => ({
  Name: flow.name,
  PgConcurrentIndex: flow.pgConcurrentIndex,
  Nodes: flowNodes(flow).map((n) => ({ Position: n.position, NodeRole: n.role, NodeTitle: n.title, EnvType: n.envType ?? undefined, CanSkip: n.canSkip, BackToDesign: n.backToDesign })),
});

export const schemaDesignActions = [
  defineAction({
    name: 'GetTableDesignProjectInfo',
    group: GROUP,
    summary: 'The design project of a schema design (NDDL) ticket: base database, status, title.',
    coverage: 'All parameters and fields. Status DESIGN, PUBLISHED (after the last stage) or CLOSE (the ticket was closed). BaseDatabase.Alias is the instance alias.',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`ProjectInfo{BaseDatabase{Alias, DbId, DbType, EnvType, Logic, SchemaName, SearchName}, CreatorId, Description, GmtCreate, GmtModified, OrderId, ProjectId, Status, Title}`',
    handler: async (input, ctx) => {
      const { p: proj, base, status } = await projectInfo(ctx.deps, ctx.actor, input.OrderId);
      const tz = ctx.deps.config.timezone;
      return {
        ProjectInfo: {
          BaseDatabase: base
            ? { Alias: base.searchName.match(/\[(.*)\]$/)?.[1] ?? '', DbId: base.dbId, DbType: base.engine, EnvType: base.envType, Logic: base.logic, SchemaName: base.schemaName, SearchName: base.searchName }
            : { DbId: proj.row.base_db_id, Logic: proj.row.base_logic === 1 },
          CreatorId: proj.row.creator_id,
          Description: proj.params.description ?? '',
          GmtCreate: formatDmsTime(proj.row.created_at, tz),
          GmtModified: formatDmsTime(proj.row.modified_at, tz),
          OrderId: proj.row.ticket_id,
          ProjectId: proj.row.id,
          Status: status,
          Title: proj.params.title,
        },
      };
    },
  }),
  defineAction({
    name: 'GetTableDesignProjectFlow',
    group: GROUP,
    summary: 'The R&D flow of a design: START, the design stage, the publish stages, END, and where the design stands.',
    coverage: 'All parameters and fields. CurrentPosition: the node to act on next (the next stage to publish; END once published). PublishAnchor is false. Adds `FlowNodeArray[].EnvType` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`ProjectFlow{CurrentPosition, FlowNodeArray[]{BackToDesign, CanSkip, NodeRole, NodeTitle, Position, PublishAnchor, PublishStrategies[]}, RuleComment, RuleName}`',
    handler: async (input, ctx) => {
      const f = await projectFlow(ctx.deps, ctx.actor, input.OrderId);
      return {
        ProjectFlow: {
          CurrentPosition: f.current,
          FlowNodeArray: f.nodes.map((n) => ({
            BackToDesign: n.backToDesign,
            CanSkip: n.canSkip,
            NodeRole: n.role,
            NodeTitle: n.title,
            Position: n.position,
            PublishAnchor: false,
            PublishStrategies: n.role === 'DESIGN' || n.role === 'PUBLISH' ? ['IMMEDIATELY', 'REGULARLY'] : [],
            EnvType: n.envType ?? undefined,
          })),
          RuleComment: f.flow.stages.map((s) => s.envType).join(' → '),
          RuleName: f.flow.name,
        },
      };
    },
  }),
  defineAction({
    name: 'ListDDLPublishRecords',
    group: GROUP,
    summary: 'Every publish of a design: its approval, status, risk from the review, and the per-table jobs with their scripts.',
    coverage:
      'All parameters and fields. AuditStatus from the publish\'s approval (EXEMPT_PASS when the route needed none); PublishStatus START, AUDIT, DISPATCH (approved: waiting or running), SUCCESS, or FAIL (OpenDMS: it failed; StatusDesc says why); RiskLevel from the review on the target. PublishJobList per table: TaskJobStatus NONE (not run), SUCCESS, FAIL, SKIPPED (OpenDMS: already on the database). DBTaskGroupId is the publish id. A logical target has one PublishTaskInfoList entry per member database (with `LogicDbId`). Adds `TaskId`, `Stage` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`DDLPublishRecordList[]{AuditExpireTime, AuditStatus, Comment, CreatorId, Finality, FinalityReason, PublishStatus, PublishTaskInfoList[]{DbId, Logic, PlanTime, PublishJobList[]{DBTaskGroupId, ExecuteCount, Scripts, StatusDesc, TableName, TaskJobStatus}, PublishStrategy, StatusDesc, TaskJobStatus}, RiskLevel, StatusDesc, WorkflowInstanceId}`',
    handler: async (input, ctx) => {
      const tz = ctx.deps.config.timezone;
      const { p: proj, records } = await publishRecords(ctx.deps, ctx.actor, input.OrderId);
      return {
        DDLPublishRecordList: records.map(({ pub, workflow, tasks }) => {
          const audit = auditStatus(workflow);
          const finality = pub.status === 'SUCCESS' || pub.status === 'FAIL';
          return {
            AuditStatus: audit,
            Comment: proj.ticket.row.comment,
            CreatorId: pub.creator_id,
            Finality: finality,
            FinalityReason: finality ? pub.status : '',
            PublishStatus: pub.status,
            PublishTaskInfoList: tasks.map((t) => ({
              DbId: t.dbId,
              Logic: false,
              PlanTime: formatOptionalDmsTime(pub.plan_at, tz),
              PublishJobList: t.jobs.map((j) => ({ DBTaskGroupId: pub.id, ExecuteCount: j.execute_count, Scripts: j.scripts, StatusDesc: j.message ?? j.status, TableName: j.table_name, TaskJobStatus: j.status })),
              PublishStrategy: pub.strategy,
              StatusDesc: pub.message ?? pub.status,
              TaskJobStatus: t.jobs.some((j) => j.status === 'FAIL') ? 'FAIL' : t.jobs.length > 0 && t.jobs.every((j) => j.status === 'SUCCESS' || j.status === 'SKIPPED') ? 'SUCCESS' : 'NONE',
              LogicDbId: pub.logic === 1 ? pub.db_id : undefined,
            })),
            RiskLevel: pub.risk_level,
            StatusDesc: pub.message ?? pub.status,
            WorkflowInstanceId: pub.workflow_instance_id ?? undefined,
            TaskId: pub.id,
            Stage: pub.stage,
          };
        }),
      };
    },
  }),
  defineAction({
    name: 'CreatePublishGroupTask',
    group: GROUP,
    summary: "Publishes the design to a database of the next stage's environment, through that environment's approval.",
    coverage:
      'All parameters and fields. The first publish goes to the base database (the design stage); each later one to a database of the next stage\'s environment (a stage with CanSkip may be passed over); another environment is refused naming the expected one. A logical target publishes to each member. The target is checked for drift and the pending changes reviewed on it (an ERROR finding refuses); then the ticket is submitted for approval routed by the target\'s environment, and the publish runs once approved (REGULARLY: at PlanTime).',
    acceptsRealLoginUser: true,
    params: {
      OrderId: p.long('Ticket id.').req(),
      DbId: p.long('The database to publish to.').req(),
      Logic: p.boolean('DbId is a logical database: the design goes to each member.').req(),
      PublishStrategy: p.enum(['IMMEDIATELY', 'REGULARLY'], 'IMMEDIATELY, or REGULARLY at PlanTime.', true).req(),
      PlanTime: p.string('yyyy-MM-dd HH:mm:ss, with REGULARLY.'),
    },
    response: '`TaskId` (long)',
    handler: async (input, ctx) => ({
      TaskId: await createPublish(ctx.deps, ctx.actor, input.OrderId, { dbId: input.DbId, logic: input.Logic, strategy: input.PublishStrategy.toUpperCase() as 'IMMEDIATELY' | 'REGULARLY', planTime: input.PlanTime }, ctx.requestId),
    }),
  }),
  defineAction({
    name: 'RestartPublishGroupTask',
    group: GROUP,
    extension: true,
    summary: 'Runs a failed publish again, after the cause was fixed; it plans again, so what already ran is skipped.',
    coverage: 'OpenDMS extension. By the committer or an ADMIN, for a publish that failed while running (ticket status fail).',
    params: { OrderId: p.long('Ticket id.').req(), TaskId: p.long('The publish (CreatePublishGroupTask TaskId).').req() },
    response: 'common fields',
    handler: async (input, ctx) => {
      await restartPublish(ctx.deps, ctx.actor, input.OrderId, input.TaskId, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'AddTableDesignChange',
    group: GROUP,
    extension: true,
    summary: 'Adds one DDL change to a design (CREATE/ALTER/DROP TABLE, CREATE/DROP INDEX, RENAME, COMMENT), checked and reviewed on the base database.',
    coverage:
      "OpenDMS extension (DMS designs only in its console). One statement in the base engine's dialect; refused when it is not DDL or does not apply after the earlier changes (a table that neither exists nor is created earlier, a column that already exists, …). The review findings on the base database are returned and kept; errors block publishing, not recording. By the committer (or an ADMIN) while the ticket is in design.",
    params: { OrderId: p.long('Ticket id.').req(), SQL: p.string('One DDL statement.').req().maxLen(1_000_000) },
    response: '`Change{ChangeId, Position, SQL, Kind, TableName, AppliedToBase, Findings[]{RuleId, Level, Message}}`',
    handler: async (input, ctx) => ({ Change: changeOut(await addChange(ctx.deps, ctx.actor, input.OrderId, input.SQL, ctx.requestId)) }),
  }),
  defineAction({
    name: 'UpdateTableDesignChange',
    group: GROUP,
    extension: true,
    summary: 'Replaces the SQL of a design change that has not run on the base database yet.',
    coverage: 'OpenDMS extension. Same checks as AddTableDesignChange.',
    params: { OrderId: p.long('Ticket id.').req(), ChangeId: p.long('The change.').req(), SQL: p.string('One DDL statement.').req().maxLen(1_000_000) },
    response: '`Change{…}` as AddTableDesignChange',
    handler: async (input, ctx) => ({ Change: changeOut(await updateChange(ctx.deps, ctx.actor, input.OrderId, input.ChangeId, input.SQL, ctx.requestId)) }),
  }),
  defineAction({
    name: 'RemoveTableDesignChange',
    group: GROUP,
    extension: true,
    summary: 'Removes a design change that has not run on the base database yet (the later ones must still apply).',
    coverage: 'OpenDMS extension.',
    params: { OrderId: p.long('Ticket id.').req(), ChangeId: p.long('The change.').req() },
    response: 'common fields',
    handler: async (input, ctx) => {
      await removeChange(ctx.deps, ctx.actor, input.OrderId, input.ChangeId, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'ListTableDesignChanges',
    group: GROUP,
    extension: true,
    summary: 'The changes of a design, in order, with their review findings on the base database.',
    coverage: 'OpenDMS extension.',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`Changes.Change[]{…}`, `TotalCount`',
    handler: async (input, ctx) => {
      const changes = await listDesignChanges(ctx.deps, ctx.actor, input.OrderId);
      return { Changes: { Change: changes.map(changeOut) }, TotalCount: changes.length };
    },
  }),
  defineAction({
    name: 'PreviewPublishScript',
    group: GROUP,
    extension: true,
    summary: 'The exact DDL a publish to that database would run now (what it already has is left out), with the review on it.',
    coverage: 'OpenDMS extension. Refused, with the differences, when the database drifted from the design.',
    params: { OrderId: p.long('Ticket id.').req(), DbId: p.long('The database.').req() },
    response: '`Script`, `Stage`, `Pending`, `Applied`, `RiskLevel`, `Findings[]`',
    handler: async (input, ctx) => {
      const r = await previewPublish(ctx.deps, ctx.actor, input.OrderId, input.DbId);
      return {
        Script: r.script,
        Stage: r.stage,
        Pending: r.plan.pending.map((c) => c.position),
        Applied: r.plan.applied.map((c) => c.position),
        RiskLevel: riskOf(r.findings),
        Findings: r.findings.map((f) => ({ RuleId: f.ruleId, Level: f.level, Message: f.message })),
      };
    },
  }),
  defineAction({
    name: 'GetTableDesignFlowConfig',
    group: GROUP,
    extension: true,
    summary: "The tenant's R&D flow for new schema designs.",
    coverage: 'OpenDMS extension. The default: dev (design) → test (CanSkip) → product.',
    params: {},
    response: '`Flow{Name, PgConcurrentIndex, Nodes[]{Position, NodeRole, NodeTitle, EnvType, CanSkip, BackToDesign}}`',
    handler: async (_input, ctx) => {
      const flow = await tenantFlow(ctx.deps, ctx.actor.tenantId);
      return { Flow: flowOut(flow) };
    },
  }),
  defineAction({
    name: 'SetTableDesignFlowConfig',
    group: GROUP,
    extension: true,
    summary: "Sets the tenant's R&D flow (ADMIN); projects keep the flow they were created with.",
    coverage: 'OpenDMS extension. Stages: JSON array of {EnvType, Title, CanSkip, BackToDesign}; the first is the design stage (the base database\'s environment); each environment once.',
    params: {
      Stages: p.json('JSON array of {EnvType, Title, CanSkip, BackToDesign}.').req(),
      Name: p.string('A name for the flow.').maxLen(100),
      PgConcurrentIndex: p.boolean('PostgreSQL: CREATE INDEX as CONCURRENTLY.'),
    },
    response: '`Flow{…}` as GetTableDesignFlowConfig',
    handler: async (input, ctx) => {
      const flow = await setTenantFlow(ctx.deps, ctx.actor, { name: input.Name ?? 'custom', stages: input.Stages, pgConcurrentIndex: input.PgConcurrentIndex ?? false });
      return { Flow: flowOut(flow) };
    },
  }),
];
