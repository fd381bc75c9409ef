import type {
  AccessKeyTable,
  MembershipTable,
  SettingTable,
  SignatureNonceTable,
  TenantTable,
  UserTable,
} from '../modules/identity/identity.table.js';
import type { JobTable } from '../jobs/job.table.js';
import type { InstanceDbTable, InstanceTable, LogicDbMemberTable, LogicDbTable, MetaColumnTable, MetaTableTable, ResourceOwnerTable } from '../modules/instances/instance.table.js';

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
}
