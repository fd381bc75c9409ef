/** Row type of the review rule settings (migration 0011). Times are epoch milliseconds. */
export interface ReviewRuleSettingTable {
  tenant_id: number;
  /** A database EnvType in lower case (`dev`, `product`, …) or `*` for every environment. */
  env_type: string;
  rule_id: string;
  /** OFF, ERROR, WARNING or NOTICE. */
  level: string;
  /** JSON object: param name → number, the rule's params overridden by this setting (`{}` when none). */
  params: string;
  /** Who set it last. */
  updated_by: number;
  updated_at: number;
}
