import type { Db } from '../../storage/db.js';
import type { ReviewRuleSettingTable } from './settings.table.js';

/** Review rule settings, one function per query. */

export type SettingRow = ReviewRuleSettingTable;

/** Every setting of a tenant (all environments): a handful of rows at most (rules × environments). */
export function listSettings(db: Db, tenantId: number): Promise<SettingRow[]> {
  return db.selectFrom('review_rule_setting').selectAll().where('tenant_id', '=', tenantId).orderBy('rule_id').orderBy('env_type').execute();
}

/** Inserts or replaces the setting of (tenant, env, rule). */
export async function upsertSetting(db: Db, row: SettingRow): Promise<void> {
  await db
    .insertInto('review_rule_setting')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'env_type', 'rule_id']).doUpdateSet({ level: row.level, params: row.params, updated_by: row.updated_by, updated_at: row.updated_at }),
    )
    .execute();
}

/** True when a setting was removed. */
export async function deleteSetting(db: Db, tenantId: number, envType: string, ruleId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('review_rule_setting')
    .where('tenant_id', '=', tenantId)
    .where('env_type', '=', envType)
    .where('rule_id', '=', ruleId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
