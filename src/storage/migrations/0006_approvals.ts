import type { Kysely } from 'kysely';
import { notNull, withId, type StoreMigration } from './helpers.js';

/**
 * Approval workflows: node and template definitions (with the built-in ones every tenant has),
 * per-tenant routing rules, and workflow instances with their nodes, approvers and history.
 *
 * Built-in nodes and templates are seeded here as rows with `tenant_id` null, so they get ordinary
 * ids from the same sequence as user-defined ones (no reserved id range, no dialect-specific
 * sequence tricks); code refers to them by `system_code`, never by id.
 */
export const m0006: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('approval_node'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.references('tenant.id'))
      .addColumn('system_code', 'text')
      .addColumn('node_type', 'text', notNull)
      .addColumn('name', 'text', notNull)
      .addColumn('comment', 'text', notNull)
      .addColumn('required_approvals', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('create_user_id', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('approval_node_tenant_idx').on('approval_node').columns(['tenant_id', 'id']).execute();

    await db.schema
      .createTable('approval_node_user')
      .addColumn('node_id', 'bigint', (c) => c.notNull().references('approval_node.id'))
      .addColumn('user_id', 'bigint', notNull)
      .addPrimaryKeyConstraint('approval_node_user_pk', ['node_id', 'user_id'])
      .execute();

    await withId(db.schema.createTable('approval_template'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.references('tenant.id'))
      .addColumn('system_code', 'text')
      .addColumn('name', 'text', notNull)
      .addColumn('comment', 'text', notNull)
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('create_user_id', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('approval_template_tenant_idx').on('approval_template').columns(['tenant_id', 'id']).execute();

    await db.schema
      .createTable('approval_template_node')
      .addColumn('template_id', 'bigint', (c) => c.notNull().references('approval_template.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('node_id', 'bigint', (c) => c.notNull().references('approval_node.id'))
      .addPrimaryKeyConstraint('approval_template_node_pk', ['template_id', 'position'])
      .execute();
    // DeleteWorkFlowNode: which templates use a node.
    await db.schema.createIndex('approval_template_node_node_idx').on('approval_template_node').columns(['node_id']).execute();

    await withId(db.schema.createTable('approval_routing_rule'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('name', 'text', notNull)
      .addColumn('plugin_types', 'text', notNull)
      .addColumn('env_types', 'text', notNull)
      .addColumn('min_estimated_rows', 'bigint')
      .addColumn('decision', 'text', notNull)
      .addColumn('template_id', 'bigint', (c) => c.references('approval_template.id'))
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('approval_routing_rule_tenant_idx').on('approval_routing_rule').columns(['tenant_id', 'position']).execute();

    await withId(db.schema.createTable('workflow_instance'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('template_id', 'bigint')
      .addColumn('template_name', 'text', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('reasons', 'text', notNull)
      .addColumn('committer_id', 'bigint', notNull)
      .addColumn('render_agree', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('render_reject', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('render_cancel', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('render_transfer', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('render_add_node', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('thirdparty_url', 'text')
      .addColumn('thirdparty_comment', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('workflow_instance_ticket_idx').on('workflow_instance').columns(['ticket_id', 'id']).execute();

    await withId(db.schema.createTable('workflow_node'), ctx)
      .addColumn('instance_id', 'bigint', (c) => c.notNull().references('workflow_instance.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('name', 'text', notNull)
      .addColumn('node_type', 'text', notNull)
      .addColumn('source_node_id', 'bigint')
      .addColumn('required_approvals', 'integer', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('added_by_id', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('finished_at', 'bigint')
      .execute();
    // No unique (instance_id, position): inserting a node shifts the positions after it in one UPDATE.
    await db.schema.createIndex('workflow_node_instance_idx').on('workflow_node').columns(['instance_id', 'position']).execute();

    await db.schema
      .createTable('workflow_approver')
      .addColumn('workflow_node_id', 'bigint', (c) => c.notNull().references('workflow_node.id'))
      .addColumn('user_id', 'bigint', notNull)
      .addColumn('state', 'text', notNull)
      .addPrimaryKeyConstraint('workflow_approver_pk', ['workflow_node_id', 'user_id'])
      .execute();

    await withId(db.schema.createTable('workflow_action'), ctx)
      .addColumn('instance_id', 'bigint', (c) => c.notNull().references('workflow_instance.id'))
      .addColumn('workflow_node_id', 'bigint')
      .addColumn('actor_id', 'bigint')
      .addColumn('delegated_by_id', 'bigint')
      .addColumn('action', 'text', notNull)
      .addColumn('comment', 'text')
      .addColumn('detail', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('workflow_action_instance_idx').on('workflow_action').columns(['instance_id', 'id']).execute();

    await seedBuiltIns(db);
  },
};

/** The built-in nodes and templates (DMS shows its own as NodeType SYS / IsSystem 1). */
async function seedBuiltIns(db: Kysely<any>): Promise<void> {
  const now = Date.now();
  const nodes: [code: string, name: string, comment: string][] = [
    ['DB_OWNER', 'Owner', "Owners of the ticket's target database (and of its instance), resolved per ticket."],
    ['DB_DBA', 'DBA', "The DBA of the target database's instance, resolved per ticket."],
    ['ADMINS', 'Admin', 'Users with role ADMIN in the tenant.'],
    ['DBAS', 'All DBAs', 'Users with role DBA in the tenant.'],
  ];
  const nodeIds = new Map<string, number>();
  for (const [code, name, comment] of nodes) {
    await db
      .insertInto('approval_node')
      .values({ tenant_id: null, system_code: code, node_type: 'SYS', name, comment, required_approvals: 1, create_user_id: null, created_at: now, updated_at: now })
      .execute();
    const row = await db.selectFrom('approval_node').select('id').where('system_code', '=', code).executeTakeFirstOrThrow();
    nodeIds.set(code, Number(row.id));
  }
  const templates: [code: string, name: string, comment: string, chain: string[]][] = [
    ['OWNER_THEN_DBA', 'Owner then DBA', 'Default route for product environments: the database owner, then the DBA.', ['DB_OWNER', 'DB_DBA']],
    ['DBA', 'DBA', 'Default route for other environments: the DBA.', ['DB_DBA']],
    ['ADMIN', 'Admin', 'Any ADMIN of the tenant.', ['ADMINS']],
  ];
  for (const [code, name, comment, chain] of templates) {
    await db
      .insertInto('approval_template')
      .values({ tenant_id: null, system_code: code, name, comment, enabled: 1, create_user_id: null, created_at: now, updated_at: now })
      .execute();
    const row = await db.selectFrom('approval_template').select('id').where('system_code', '=', code).executeTakeFirstOrThrow();
    await db
      .insertInto('approval_template_node')
      .values(chain.map((c, i) => ({ template_id: Number(row.id), position: i + 1, node_id: nodeIds.get(c)! })))
      .execute();
  }
}
