/**
 * Approval routing rules (ListApprovalRoutingRules / SetApprovalRoutingRules): tried in order,
 * the first match picks a template, no approval or a refusal. The server replaces the whole list
 * at once, so every add, edit, move and delete sends the list; its message for rule i
 * (`Rules is not valid: i.Field: reason`) shows next to that field of the rule being edited.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { ErrorBox } from '../ErrorBox.js';
import { Field } from '../Field.js';
import { CheckGroup, FormButtons } from './forms.js';
import { AdminTable, DeleteButton, EditButton } from './list.js';
import type { WfTemplate } from './TemplatesSection.js';

export interface RoutingRule {
  RuleId?: number;
  Name: string;
  PluginTypes: string[];
  EnvTypes: string[];
  MinEstimatedRows?: number | undefined;
  Decision: 'APPROVAL' | 'NO_APPROVAL' | 'FORBID';
  TemplateId?: number | undefined;
  TemplateName?: string;
}

/** Ticket types and environments offered as choices (the server validates them). */
const PLUGIN_TYPES = ['DATA_EXPORT', 'DATA_CORRECT', 'DC_COMMON', 'DC_CHUNK', 'DC_BIG_FILE', 'DC_CRON_CLEAR', 'DF_PUBLISH', 'NDDL'];
export const ENV_TYPES = ['product', 'dev', 'pre', 'test', 'sit', 'uat', 'pet', 'stag'];
const DECISIONS = ['APPROVAL', 'NO_APPROVAL', 'FORBID'] as const;

const wire = (r: RoutingRule) => ({
  Name: r.Name,
  PluginTypes: r.PluginTypes,
  EnvTypes: r.EnvTypes,
  MinEstimatedRows: r.MinEstimatedRows ?? null,
  Decision: r.Decision,
  TemplateId: r.Decision === 'APPROVAL' ? (r.TemplateId ?? null) : null,
});

/** `Rules is not valid: 2.TemplateId: reason.` → {index 2, field TemplateId, reason}. */
function ruleError(e: unknown): { index: number; field: string; reason: string } | null {
  if (!(e instanceof ApiError) || e.code !== 'InvalidRules') return null;
  const m = /is not valid: (\d+)\.(\w+): (.*?)\.?$/s.exec(e.message);
  return m ? { index: Number(m[1]), field: m[2]!, reason: m[3]! } : null;
}

function RuleForm({ rule, templates, onSave, onCancel, errors, busy }: { rule?: RoutingRule; templates: WfTemplate[]; onSave: (r: RoutingRule) => void; onCancel?: () => void; errors: Record<string, string>; busy: boolean }) {
  const { t } = useI18n();
  const [name, setName] = useState(rule?.Name ?? '');
  const [types, setTypes] = useState<string[]>(rule?.PluginTypes ?? []);
  const [envs, setEnvs] = useState<string[]>(rule?.EnvTypes ?? []);
  const [minRows, setMinRows] = useState(rule?.MinEstimatedRows === undefined ? '' : String(rule.MinEstimatedRows));
  const [decision, setDecision] = useState<RoutingRule['Decision']>(rule?.Decision ?? 'APPROVAL');
  const [templateId, setTemplateId] = useState(rule?.TemplateId === undefined ? '' : String(rule.TemplateId));
  const title = rule ? t('admEditRuleNamed', { name: rule.Name }) : t('admNewRule');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave({
      Name: name,
      PluginTypes: types,
      EnvTypes: envs,
      MinEstimatedRows: minRows.trim() === '' ? undefined : (Number(minRows) as number),
      Decision: decision,
      TemplateId: templateId === '' ? undefined : Number(templateId),
    });
  };
  return (
    <form onSubmit={submit} aria-label={title} className="admin-form card">
      <h3>{title}</h3>
      <Field label={t('admRuleName')} error={errors.Name}>
        {(f) => <input id={f.id} autoFocus={Boolean(rule)} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <CheckGroup legend={t('admRuleTypes')} options={PLUGIN_TYPES} value={types} onChange={setTypes} error={errors.PluginTypes} />
      <CheckGroup legend={t('admRuleEnvs')} options={ENV_TYPES} value={envs} onChange={setEnvs} error={errors.EnvTypes} />
      <div className="row">
        <Field label={t('admMinRows')} error={errors.MinEstimatedRows} hint={t('admMinRowsHint')}>
          {(f) => <input id={f.id} type="number" min={0} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={minRows} onChange={(e) => setMinRows(e.target.value)} />}
        </Field>
        <Field label={t('admDecision')} error={errors.Decision}>
          {(f) => (
            <select id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={decision} onChange={(e) => setDecision(e.target.value as RoutingRule['Decision'])}>
              {DECISIONS.map((d) => <option key={d} value={d}>{t(`admDecision_${d}`)}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('admTemplate')} error={errors.TemplateId}>
          {(f) => (
            <select id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={templateId} onChange={(e) => setTemplateId(e.target.value)} disabled={decision !== 'APPROVAL'}>
              <option value="">{t('admChooseTemplate')}</option>
              {templates.map((x) => <option key={x.TemplateId} value={x.TemplateId}>{x.TemplateName}{x.Enabled === 'Y' ? '' : ` (${t('admDisabled')})`}</option>)}
            </select>
          )}
        </Field>
      </div>
      <FormButtons busy={busy} editing={Boolean(rule)} label={t('admAddRule')} onCancel={onCancel} />
    </form>
  );
}

export function RulesSection({ rules, templates, onChanged }: { rules: RoutingRule[]; templates: WfTemplate[]; onChanged: () => void }) {
  const { t } = useI18n();
  /** The rule being edited: its index, or rules.length for a new one. */
  const [editing, setEditing] = useState<number | null>(null);
  const [fieldErrs, setFieldErrs] = useState<{ index: number; errors: Record<string, string> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [formKey, setFormKey] = useState(0);

  /** Sends the whole list; `at` is the rule the user is working on (for field errors). */
  const save = async (next: RoutingRule[], at: number | null): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setFieldErrs(null);
    try {
      await api.rpc('SetApprovalRoutingRules', { Rules: next.map(wire) });
      onChanged();
      return true;
    } catch (e) {
      const fe = ruleError(e);
      if (fe && at !== null && fe.index === at) setFieldErrs({ index: at, errors: { [fe.field]: fe.reason } });
      else setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const move = (i: number, d: number) => {
    const next = [...rules];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    void save(next, null);
  };
  const errorsFor = (i: number) => (fieldErrs?.index === i ? fieldErrs.errors : {});
  const current = editing !== null && editing < rules.length ? rules[editing] : undefined;

  return (
    <section aria-labelledby="adm-rules">
      <h2 id="adm-rules">{t('admRules')}</h2>
      <p className="hint">{t('admRulesHint')}</p>
      <ErrorBox error={error} />
      <AdminTable label={t('admRules')} columns={['#', t('admRuleName'), t('admRuleTypes'), t('admRuleEnvs'), t('admMinRows'), t('admDecision'), t('admActions')]}>
        {rules.map((r, i) => (
          <tr key={r.RuleId ?? i} data-rule-name={r.Name}>
            <td>{i + 1}</td>
            <td>{r.Name}</td>
            <td>{r.PluginTypes.join(', ') || t('admAny')}</td>
            <td>{r.EnvTypes.join(', ') || t('admAny')}</td>
            <td>{r.MinEstimatedRows ?? '—'}</td>
            <td>{t(`admDecision_${r.Decision}`)}{r.TemplateName ? `: ${r.TemplateName}` : ''}</td>
            <td className="row-actions">
              <button type="button" aria-label={t('admMoveUpNamed', { name: r.Name })} disabled={i === 0 || busy} onClick={() => move(i, -1)}>↑</button>
              <button type="button" aria-label={t('admMoveDownNamed', { name: r.Name })} disabled={i === rules.length - 1 || busy} onClick={() => move(i, 1)}>↓</button>
              <EditButton name={r.Name} onClick={() => setEditing(i)} />
              <DeleteButton name={r.Name} onConfirm={() => void save(rules.filter((_, j) => j !== i), null).then((ok) => ok && setEditing(null))} />
            </td>
          </tr>
        ))}
        {rules.length === 0 && <tr><td colSpan={7} className="empty">{t('admNoRules')}</td></tr>}
      </AdminTable>
      {current && editing !== null && (
        <RuleForm key={`edit-${editing}-${current.RuleId}`} rule={current} templates={templates} errors={errorsFor(editing)} busy={busy}
          onSave={(r) => void save(rules.map((x, j) => (j === editing ? r : x)), editing).then((ok) => ok && setEditing(null))}
          onCancel={() => setEditing(null)} />
      )}
      <RuleForm key={`new-${formKey}`} templates={templates} errors={errorsFor(rules.length)} busy={busy}
        onSave={(r) => void save([...rules, r], rules.length).then((ok) => ok && setFormKey((k) => k + 1))} />
    </section>
  );
}
