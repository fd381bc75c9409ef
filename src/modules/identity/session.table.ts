/** Row types of the console session tables (migration 0017). Times are epoch milliseconds. */
export interface ConsoleSessionTable {
  /** SHA-256 (hex) of the session cookie's token. */
  token_hash: string;
  user_id: number;
  /** Sent back by the console in `X-CSRF-Token` with every state-changing request. */
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** The absolute end of the session, whatever the activity. */
  expires_at: number;
  revoked_at: number | null;
}

export interface LoginFailureTable {
  uid: string;
  at: number;
}
