import { notNull, type StoreMigration } from './helpers.js';

/**
 * Per-tenant SQL review rule settings (SetSqlReviewRule / ResetSqlReviewRule, src/modules/review/settings.ts):
 * one row per (tenant, environment or '*' for all, rule). A rule without a row runs at its default.
 */
export const m0011: StoreMigration = {
  async up(db) {
    await db.schema
      .createTable('review_rule_setting')
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      // A database EnvType (lower case: product, dev, …) or '*' (every environment).
      .addColumn('env_type', 'text', notNull)
      .addColumn('rule_id', 'text', notNull)
      // OFF, ERROR, WARNING or NOTICE.
      .addColumn('level', 'text', notNull)
      // JSON object of the rule's numeric params overridden here ('{}' when none).
      .addColumn('params', 'text', notNull)
      .addColumn('updated_by', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('updated_at', 'bigint', notNull)
      // Also the lookup of a precheck: every setting of one tenant.
      .addPrimaryKeyConstraint('review_rule_setting_pk', ['tenant_id', 'env_type', 'rule_id'])
      .execute();
  },
};
