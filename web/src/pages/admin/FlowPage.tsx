/**
 * The R&D flow of new schema designs (GetTableDesignFlowConfig, SetTableDesignFlowConfig): the
 * design stage, then the publish stages in order, each an environment. Projects keep the flow
 * they were created with.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, type Body } from '../../api.js';
import { AdminRefusal, isRefusal } from '../../components/admin/access.js';
import { useSubmit } from '../../components/admin/forms.js';
import { AdminTable } from '../../components/admin/list.js';
import { ENV_TYPES } from '../../components/admin/RulesSection.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';

interface Stage {
  EnvType: string;
  Title: string;
  CanSkip: boolean;
  BackToDesign: boolean;
}

export function FlowPage() {
  const { t } = useI18n();
  const flow = useLoad(() => api.rpc('GetTableDesignFlowConfig'), []);
  const [name, setName] = useState('');
  const [pgConcurrent, setPgConcurrent] = useState(false);
  const [stages, setStages] = useState<Stage[]>([]);
  const [saved, setSaved] = useState(false);
  const s = useSubmit(['Stages', 'Name', 'PgConcurrentIndex']);

  useEffect(() => {
    const f = flow.data?.Flow as Body | undefined;
    if (!f) return;
    setName(String(f.Name ?? ''));
    setPgConcurrent(Boolean(f.PgConcurrentIndex));
    setStages(((f.Nodes ?? []) as Body[]).filter((n) => n.NodeRole === 'DESIGN' || n.NodeRole === 'PUBLISH').map((n) => ({ EnvType: String(n.EnvType), Title: String(n.NodeTitle), CanSkip: Boolean(n.CanSkip), BackToDesign: Boolean(n.BackToDesign) })));
  }, [flow.data]);

  const patch = (i: number, p: Partial<Stage>) => setStages(stages.map((x, j) => (j === i ? { ...x, ...p } : x)));
  const move = (i: number, d: number) => {
    const next = [...stages];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    setStages(next);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (await s.run(() => api.rpc('SetTableDesignFlowConfig', { Name: name, PgConcurrentIndex: pgConcurrent, Stages: stages }))) {
      setSaved(true);
      await flow.reload();
    }
  };

  if (isRefusal(flow.error)) return <AdminRefusal error={flow.error} />;
  return (
    <>
      <h2>{t('admFlow')}</h2>
      <p className="hint">{t('admFlowHint')}</p>
      <ErrorBox error={flow.error} onRetry={() => void flow.reload()} />
      {flow.data && (
        <form onSubmit={submit} aria-label={t('admFlow')} className="admin-form card">
          <Field label={t('admFlowName')} error={s.fields.Name}>
            {(f) => <input id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <fieldset className={`field${s.fields.Stages ? ' field-invalid' : ''}`}>
            <legend>{t('admStages')}</legend>
            <AdminTable columns={['#', t('admEnvironment'), t('admStageTitle'), t('admCanSkip'), t('admBackToDesign'), t('admActions')]}>
              {stages.map((st, i) => (
                <tr key={i}>
                  <td>{i === 0 ? t('admDesignStage') : i + 1}</td>
                  <td>
                    <select aria-label={t('admStageEnv', { n: i + 1 })} value={st.EnvType} onChange={(e) => patch(i, { EnvType: e.target.value })}>
                      {ENV_TYPES.map((e) => <option key={e} value={e}>{e}</option>)}
                    </select>
                  </td>
                  <td><input aria-label={t('admStageTitleN', { n: i + 1 })} value={st.Title} onChange={(e) => patch(i, { Title: e.target.value })} /></td>
                  <td><input type="checkbox" aria-label={t('admCanSkipN', { n: i + 1 })} checked={st.CanSkip} disabled={i === 0} onChange={(e) => patch(i, { CanSkip: e.target.checked })} /></td>
                  <td><input type="checkbox" aria-label={t('admBackToDesignN', { n: i + 1 })} checked={st.BackToDesign} onChange={(e) => patch(i, { BackToDesign: e.target.checked })} /></td>
                  <td className="row-actions">
                    <button type="button" aria-label={t('admMoveUpNamed', { name: st.Title })} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                    <button type="button" aria-label={t('admMoveDownNamed', { name: st.Title })} disabled={i === stages.length - 1} onClick={() => move(i, 1)}>↓</button>
                    <button type="button" aria-label={t('admRemoveNamed', { name: st.Title })} onClick={() => setStages(stages.filter((_, j) => j !== i))}>×</button>
                  </td>
                </tr>
              ))}
            </AdminTable>
            <button type="button" onClick={() => setStages([...stages, { EnvType: ENV_TYPES.find((e) => !stages.some((x) => x.EnvType === e)) ?? 'dev', Title: '', CanSkip: false, BackToDesign: true }])}>{t('admAddStage')}</button>
            {s.fields.Stages && <div className="field-error" role="alert">{s.fields.Stages}</div>}
          </fieldset>
          <label className="check">
            <input type="checkbox" checked={pgConcurrent} onChange={(e) => setPgConcurrent(e.target.checked)} />
            {t('admPgConcurrent')}
          </label>
          <ErrorBox error={s.general} />
          {saved && <p className="notice" role="status">{t('admFlowSaved')}</p>}
          <button type="submit" className="primary" disabled={s.busy}>{t('save')}</button>
        </form>
      )}
    </>
  );
}
