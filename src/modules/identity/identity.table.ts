import type { Generated } from 'kysely';

/** Row types of the identity tables (migration 0001). Times are epoch milliseconds. */
export interface TenantTable {
  id: Generated<number>;
  name: string;
  status: string;
  created_at: number;
}

export interface UserTable {
  id: Generated<number>;
  uid: string;
  nick_name: string;
  mobile: string | null;
  email: string | null;
  is_sysadmin: number;
  active_tenant_id: number | null;
  password_hash: string | null;
  last_login_at: number | null;
  created_at: number;
}

export interface MembershipTable {
  tenant_id: number;
  user_id: number;
  /** Comma-separated role codes, e.g. `USER,DBA`. */
  roles: string;
  state: string;
  max_execute_count: number | null;
  max_result_count: number | null;
  created_at: number;
}

export interface AccessKeyTable {
  access_key_id: string;
  user_id: number;
  /** AES-256-GCM ciphertext (see crypto/secret-box.ts): HMAC verification needs the plain secret. */
  secret_enc: string;
  status: string;
  created_at: number;
  last_used_at: number | null;
}

export interface SignatureNonceTable {
  access_key_id: string;
  nonce: string;
  expires_at: number;
}

export interface SettingTable {
  key: string;
  value: string;
}
