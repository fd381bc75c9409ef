/**
 * SQL review rules per environment (ListSqlReviewRules, SetSqlReviewRule, ResetSqlReviewRule):
 * each rule's effective level and params for the chosen environment (`*`: every environment),
 * where the level comes from, and a form to set or reset the setting of that environment.
 */
import { useState, type FormEvent } from 'react';
import { api, type Body } from '../../api.js';
import { AdminRefusal, isRefusal } from '../../components/admin/access.js';
import { useSubmit } from '../../components/admin/forms.js';
import { AdminTable, EditButton } from '../../components/admin/list.js';
import { ENV_TYPES } from '../../components/admin/RulesSection.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';

const LEVELS = ['OFF', 'ERROR', 'WARNING', 'NOTICE'];

interface ReviewRule {
  RuleId: string;
  Scope: string;
  Description: string;
  DefaultLevel: string;
  DefaultParams: Record<string, number>;
  Level: string;
  Params: Record<string, number>;
  LevelSource: string;
  Settings: { Setting: { EnvType: string; Level: string; Params: Record<string, number> }[] };
}

function RuleSettingForm({ rule, env, onSaved, onCancel }: { rule: ReviewRule; env: string; onSaved: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const own = rule.Settings.Setting.find((s) => s.EnvType === env);
  const [level, setLevel] = useState(own?.Level ?? rule.Level);
  const [params, setParams] = useState<Record<string, string>>(Object.fromEntries(Object.keys(rule.DefaultParams).map((k) => [k, String(rule.Params[k] ?? rule.DefaultParams[k])])));
  const s = useSubmit(['Level', 'Params', 'EnvType']);
  const title = t('admReviewEdit', { rule: rule.RuleId, env });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.trim() === '' ? v : Number(v)]));
    if (await s.run(() => api.rpc('SetSqlReviewRule', { RuleId: rule.RuleId, EnvType: env, Level: level, Params: Object.keys(p).length ? p : undefined }))) onSaved();
  };
  const reset = async () => {
    if (await s.run(() => api.rpc('ResetSqlReviewRule', { RuleId: rule.RuleId, EnvType: env }))) onSaved();
  };
  return (
    <form onSubmit={submit} aria-label={title} className="admin-form card">
      <h3>{title}</h3>
      <p className="hint">{rule.Description}</p>
      <Field label={t('admLevel')} error={s.fields.Level}>
        {(f) => (
          <select id={f.id} autoFocus aria-invalid={f.invalid} aria-describedby={f.describedBy} value={level} onChange={(e) => setLevel(e.target.value)}>
            {LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        )}
      </Field>
      {Object.keys(params).map((k) => (
        <Field key={k} label={t('admParam', { name: k, dflt: String(rule.DefaultParams[k]) })} error={s.fields[`Params.${k}`] ?? (Object.keys(params).length === 1 ? s.fields.Params : undefined)}>
          {(f) => <input id={f.id} type="number" min={0} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={params[k]} onChange={(e) => setParams({ ...params, [k]: e.target.value })} />}
        </Field>
      ))}
      {Object.keys(params).length > 1 && s.fields.Params && <div className="field-error" role="alert">{s.fields.Params}</div>}
      <ErrorBox error={s.general} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={s.busy}>{t('save')}</button>
        {own && <button type="button" onClick={() => void reset()} disabled={s.busy}>{t('admReviewReset', { env })}</button>}
        <button type="button" onClick={onCancel}>{t('cancel')}</button>
      </div>
    </form>
  );
}

export function ReviewRulesPage() {
  const { t } = useI18n();
  const [env, setEnv] = useState('*');
  const [editing, setEditing] = useState<string | null>(null);
  const list = useLoad(() => api.rpc('ListSqlReviewRules', { EnvType: env }), [env]);
  const rules = ((list.data?.Rules?.Rule ?? []) as Body[]) as ReviewRule[];
  const current = rules.find((r) => r.RuleId === editing);
  if (isRefusal(list.error)) return <AdminRefusal error={list.error} />;
  return (
    <>
      <h2>{t('admReviewRules')}</h2>
      <p className="hint">{t('admReviewHint')}</p>
      <div className="filters">
        <label>
          {t('admEnvironment')}
          <select value={env} onChange={(e) => { setEnv(e.target.value); setEditing(null); }}>
            <option value="*">{t('admEveryEnv')}</option>
            {ENV_TYPES.map((e) => <option key={e} value={e}>{e}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={list.error} onRetry={() => void list.reload()} />
      {current && <RuleSettingForm key={`${current.RuleId}-${env}`} rule={current} env={env} onSaved={() => { setEditing(null); void list.reload(); }} onCancel={() => setEditing(null)} />}
      <AdminTable label={t('admReviewRules')} columns={[t('admRule'), t('admScope'), t('admLevel'), t('admParams'), t('admActions')]}>
        {rules.map((r) => (
          <tr key={r.RuleId} data-rule-id={r.RuleId}>
            <td><code>{r.RuleId}</code><br /><small className="hint">{r.Description}</small></td>
            <td>{r.Scope}</td>
            <td>{r.Level} <small className="hint">({r.LevelSource === 'DEFAULT' ? t('admDefault') : t('admFrom', { env: r.LevelSource })})</small></td>
            <td>{Object.entries(r.Params).map(([k, v]) => `${k}=${v}`).join(', ') || '—'}</td>
            <td><EditButton name={r.RuleId} onClick={() => setEditing(r.RuleId)} /></td>
          </tr>
        ))}
      </AdminTable>
    </>
  );
}
