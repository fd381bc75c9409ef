import type {
  AccessKeyTable,
  MembershipTable,
  SettingTable,
  SignatureNonceTable,
  TenantTable,
  UserTable,
} from '../modules/identity/identity.table.js';

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
}
