import { notNull, withId, type StoreMigration } from './helpers.js';

/**
 * Target instances and what was discovered on them: databases (MySQL schemas, PostgreSQL
 * databases, the SQLite file), logical databases grouping them, resource owners, and stable ids for
 * tables and columns. Ids reference rows of the same tenant; services always filter by tenant_id.
 */
export const m0003: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('instance'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('db_type', 'text', notNull)
      .addColumn('host', 'text', notNull)
      // 0 for SQLite, which has no port.
      .addColumn('port', 'integer', notNull)
      // '' when none: NULLs would not take part in the unique address below.
      .addColumn('sid', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('alias', 'text', notNull)
      .addColumn('source', 'text', notNull)
      .addColumn('env_type', 'text', notNull)
      .addColumn('db_user', 'text', notNull)
      // AES-256-GCM (lib/secret-box.ts); never returned by any Action.
      .addColumn('db_password_enc', 'text', notNull)
      .addColumn('dba_user_id', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('query_timeout_s', 'integer', notNull)
      .addColumn('export_timeout_s', 'integer', notNull)
      .addColumn('ddl_online', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('use_dsql', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('data_link_name', 'text')
      .addColumn('safe_rule', 'text')
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('NORMAL'))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();
    // DMS names an instance by Host + Port (+ Sid) inside a tenant.
    await db.schema.createIndex('instance_address_unique').on('instance').columns(['tenant_id', 'host', 'port', 'sid']).unique().execute();

    await withId(db.schema.createTable('instance_db'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('instance_id', 'bigint', (c) => c.notNull().references('instance.id'))
      .addColumn('schema_name', 'text', notNull)
      .addColumn('catalog_name', 'text', notNull)
      .addColumn('encoding', 'text', notNull)
      .addColumn('env_type', 'text', notNull)
      // NORMAL, or NOT_EXIST once a discovery no longer finds it (the id is kept if it comes back).
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('NORMAL'))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('instance_db_schema_unique').on('instance_db').columns(['instance_id', 'schema_name']).unique().execute();
    await db.schema.createIndex('instance_db_tenant_idx').on('instance_db').columns(['tenant_id', 'schema_name']).execute();

    await withId(db.schema.createTable('logic_db'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('alias', 'text', notNull)
      // Derived from the members' schema names when created or edited (e.g. `shop` for shop_01, shop_02).
      .addColumn('schema_name', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('logic_db_alias_unique').on('logic_db').columns(['tenant_id', 'alias']).unique().execute();

    await db.schema
      .createTable('logic_db_member')
      .addColumn('logic_db_id', 'bigint', (c) => c.notNull().references('logic_db.id'))
      .addColumn('db_id', 'bigint', (c) => c.notNull().references('instance_db.id'))
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addPrimaryKeyConstraint('logic_db_member_pk', ['logic_db_id', 'db_id'])
      .execute();
    // A physical database belongs to at most one logical database, so a ticket routes one way.
    await db.schema.createIndex('logic_db_member_db_unique').on('logic_db_member').column('db_id').unique().execute();

    // resource_id points at instance, instance_db, logic_db or meta_table depending on the type.
    await db.schema
      .createTable('resource_owner')
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('resource_type', 'text', notNull)
      .addColumn('resource_id', 'bigint', notNull)
      .addColumn('user_id', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('created_at', 'bigint', notNull)
      .addPrimaryKeyConstraint('resource_owner_pk', ['resource_type', 'resource_id', 'user_id'])
      .execute();
    await db.schema.createIndex('resource_owner_user_idx').on('resource_owner').columns(['tenant_id', 'user_id', 'resource_type']).execute();

    // Stable ids for tables and columns seen on a target (DMS TableId / ColumnId). Rows stay when
    // an object disappears, so the id is the same if it comes back.
    await withId(db.schema.createTable('meta_table'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('db_id', 'bigint', (c) => c.notNull().references('instance_db.id'))
      .addColumn('schema_name', 'text', notNull)
      .addColumn('table_name', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('meta_table_name_unique').on('meta_table').columns(['db_id', 'schema_name', 'table_name']).unique().execute();

    await withId(db.schema.createTable('meta_column'), ctx)
      .addColumn('table_id', 'bigint', (c) => c.notNull().references('meta_table.id'))
      .addColumn('column_name', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('meta_column_name_unique').on('meta_column').columns(['table_id', 'column_name']).unique().execute();
  },
};
