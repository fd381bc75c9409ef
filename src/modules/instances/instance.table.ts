import type { Generated } from 'kysely';

/** Row types of the instance tables (migration 0003). Times are epoch milliseconds. */
export interface InstanceTable {
  id: Generated<number>;
  tenant_id: number;
  /** Engine code: mysql, mariadb, postgresql, sqlite. */
  db_type: string;
  /** Server host, or the file path of a SQLite instance. */
  host: string;
  /** 0 for SQLite. */
  port: number;
  /** '' when none (only Oracle has SIDs in DMS). */
  sid: string;
  alias: string;
  source: string;
  env_type: string;
  db_user: string;
  db_password_enc: string;
  dba_user_id: number;
  query_timeout_s: number;
  export_timeout_s: number;
  ddl_online: number;
  use_dsql: number;
  data_link_name: string | null;
  safe_rule: string | null;
  state: string;
  created_at: number;
  updated_at: number;
}

export interface InstanceDbTable {
  id: Generated<number>;
  tenant_id: number;
  instance_id: number;
  /** MySQL schema, PostgreSQL database, `main` for SQLite. */
  schema_name: string;
  /** `def` on MySQL; the database itself on PostgreSQL and SQLite. */
  catalog_name: string;
  encoding: string;
  env_type: string;
  state: string;
  created_at: number;
  updated_at: number;
}

export interface LogicDbTable {
  id: Generated<number>;
  tenant_id: number;
  alias: string;
  schema_name: string;
  created_at: number;
  updated_at: number;
}

export interface LogicDbMemberTable {
  logic_db_id: number;
  db_id: number;
  tenant_id: number;
}

export interface ResourceOwnerTable {
  tenant_id: number;
  /** INSTANCE, DATABASE, LOGIC_DATABASE or TABLE. */
  resource_type: string;
  resource_id: number;
  user_id: number;
  created_at: number;
}

export interface MetaTableTable {
  id: Generated<number>;
  tenant_id: number;
  db_id: number;
  schema_name: string;
  table_name: string;
  created_at: number;
}

export interface MetaColumnTable {
  id: Generated<number>;
  table_id: number;
  column_name: string;
  created_at: number;
}
