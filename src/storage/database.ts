import type {
  AccessKeyTable,
  MembershipTable,
  SettingTable,
  SignatureNonceTable,
  TenantTable,
  UserTable,
} from '../modules/identity/identity.table.js';
import type { JobTable } from '../jobs/job.table.js';
import type { AttachmentTable } from '../modules/attachments/attachment.table.js';
import type { UploadJobTable } from '../modules/attachments/upload-job.table.js';
import type {
  ApprovalNodeTable,
  ApprovalNodeUserTable,
  ApprovalRoutingRuleTable,
  ApprovalTemplateNodeTable,
  ApprovalTemplateTable,
  WorkflowActionTable,
  WorkflowApproverTable,
  WorkflowInstanceTable,
  WorkflowNodeTable,
} from '../modules/approvals/approval.table.js';
import type { TicketDatabaseTable, TicketEventTable, TicketHandlerTable, TicketRelatedUserTable, TicketTable } from '../modules/tickets/ticket.table.js';
import type { InstanceDbTable, InstanceTable, LogicDbMemberTable, LogicDbTable, MetaColumnTable, MetaTableTable, ResourceOwnerTable } from '../modules/instances/instance.table.js';
import type { WebhookDeliveryTable, WebhookTable } from '../modules/webhooks/webhook.table.js';
import type { DcPrecheckSqlTable, DcPrecheckStepTable, DcPrecheckTable } from '../modules/data-changes/data-change.table.js';
import type { DcChunkBatchTable, DcJobLogTable, DcJobTable, DcRollbackTable, DcStatementTable, DcTaskTable } from '../modules/data-changes/execution.table.js';
import type { ConsoleSessionTable, LoginFailureTable } from '../modules/identity/session.table.js';
import type { ReviewRuleSettingTable } from '../modules/review/settings.table.js';
import type { DesignChangeTable, DesignFlowTable, DesignProjectTable, DesignPublishJobTable, DesignPublishTable, DesignSnapshotTable } from '../modules/schema-design/design.table.js';
import type { DcImportSqlTable, DcImportTable } from '../modules/data-imports/import.table.js';
import type { ExportJobTable, ExportPrecheckSqlTable, ExportPrecheckTable } from '../modules/exports/export.table.js';
import type { CronClearScheduleTable } from '../modules/data-cron/schedule.table.js';

/**
 * The metadata store's tables, as Kysely sees them. Each module declares its own row types in a
 * `*.table.ts` file; this is the one place that puts them together.
 */
export interface Database {
  tenant: TenantTable;
  app_user: UserTable;
  membership: MembershipTable;
  access_key: AccessKeyTable;
  signature_nonce: SignatureNonceTable;
  setting: SettingTable;
  job: JobTable;
  instance: InstanceTable;
  instance_db: InstanceDbTable;
  logic_db: LogicDbTable;
  logic_db_member: LogicDbMemberTable;
  resource_owner: ResourceOwnerTable;
  meta_table: MetaTableTable;
  meta_column: MetaColumnTable;
  ticket: TicketTable;
  ticket_related_user: TicketRelatedUserTable;
  ticket_database: TicketDatabaseTable;
  ticket_handler: TicketHandlerTable;
  ticket_event: TicketEventTable;
  attachment: AttachmentTable;
  upload_job: UploadJobTable;
  approval_node: ApprovalNodeTable;
  approval_node_user: ApprovalNodeUserTable;
  approval_template: ApprovalTemplateTable;
  approval_template_node: ApprovalTemplateNodeTable;
  approval_routing_rule: ApprovalRoutingRuleTable;
  workflow_instance: WorkflowInstanceTable;
  workflow_node: WorkflowNodeTable;
  workflow_approver: WorkflowApproverTable;
  workflow_action: WorkflowActionTable;
  webhook: WebhookTable;
  webhook_delivery: WebhookDeliveryTable;
  export_precheck: ExportPrecheckTable;
  export_precheck_sql: ExportPrecheckSqlTable;
  export_job: ExportJobTable;
  dc_precheck: DcPrecheckTable;
  dc_precheck_step: DcPrecheckStepTable;
  dc_precheck_sql: DcPrecheckSqlTable;
  dc_task: DcTaskTable;
  dc_job: DcJobTable;
  dc_statement: DcStatementTable;
  dc_job_log: DcJobLogTable;
  dc_chunk_batch: DcChunkBatchTable;
  dc_rollback: DcRollbackTable;
  dc_import: DcImportTable;
  dc_import_sql: DcImportSqlTable;
  cron_clear_schedule: CronClearScheduleTable;
  review_rule_setting: ReviewRuleSettingTable;
  console_session: ConsoleSessionTable;
  login_failure: LoginFailureTable;
  design_flow: DesignFlowTable;
  design_project: DesignProjectTable;
  design_change: DesignChangeTable;
  design_snapshot: DesignSnapshotTable;
  design_publish: DesignPublishTable;
  design_publish_job: DesignPublishJobTable;
}
