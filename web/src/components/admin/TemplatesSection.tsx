/**
 * Approval templates (ListWorkFlowTemplates): ordered chains of nodes. The built-in ones are shown
 * read-only; the tenant's own are created, changed and deleted (Create/Update/DeleteWorkFlowTemplate).
 */
import { useId, useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { ErrorBox } from '../ErrorBox.js';
import { Field } from '../Field.js';
import { FormButtons, useSubmit } from './forms.js';
import { AdminTable, DeleteButton, EditButton, useEditAndDelete } from './list.js';
import type { WfNode } from './NodesSection.js';

export interface WfTemplate {
  TemplateId: number;
  TemplateName: string;
  Comment: string;
  Enabled: 'Y' | 'N';
  IsSystem: 0 | 1;
  WorkflowNodes: { WorkflowNode: { NodeId: number; NodeName: string; Position: number }[] };
}

/** The node chain: an ordered list, each step movable with buttons (keyboard-usable). */
function ChainEditor({ nodes, value, onChange, error }: { nodes: WfNode[]; value: number[]; onChange: (v: number[]) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const id = useId();
  const [pick, setPick] = useState('');
  const nameOf = (nid: number) => nodes.find((n) => n.NodeId === nid)?.NodeName ?? `#${nid}`;
  const move = (i: number, d: number) => {
    const next = [...value];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    onChange(next);
  };
  return (
    <fieldset className={`field${error ? ' field-invalid' : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t('admChain')}</legend>
      <ol className="chain-editor" aria-label={t('admChain')}>
        {value.map((nid, i) => (
          <li key={`${nid}-${i}`}>
            <span>{nameOf(nid)}</span>
            <button type="button" aria-label={t('admMoveUpNamed', { name: nameOf(nid) })} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
            <button type="button" aria-label={t('admMoveDownNamed', { name: nameOf(nid) })} disabled={i === value.length - 1} onClick={() => move(i, 1)}>↓</button>
            <button type="button" aria-label={t('admRemoveNamed', { name: nameOf(nid) })} onClick={() => onChange(value.filter((_, j) => j !== i))}>×</button>
          </li>
        ))}
      </ol>
      {value.length === 0 && <p className="hint">{t('admChainEmpty')}</p>}
      <div className="inline">
        <label htmlFor={`${id}-pick`}>{t('admAddStep')}</label>
        <select id={`${id}-pick`} value={pick} onChange={(e) => setPick(e.target.value)} aria-invalid={Boolean(error)}>
          <option value="">{t('admChooseNode')}</option>
          {nodes.filter((n) => !value.includes(n.NodeId)).map((n) => <option key={n.NodeId} value={n.NodeId}>{n.NodeName}</option>)}
        </select>
        <button type="button" disabled={pick === ''} onClick={() => { onChange([...value, Number(pick)]); setPick(''); }}>{t('admAddStepButton')}</button>
      </div>
      {error && <div id={`${id}-error`} className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}

function TemplateForm({ template, nodes, onSaved, onCancel }: { template?: WfTemplate; nodes: WfNode[]; onSaved: () => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(template?.TemplateName ?? '');
  const [comment, setComment] = useState(template?.Comment ?? '');
  const [chain, setChain] = useState<number[]>(template?.WorkflowNodes.WorkflowNode.map((n) => n.NodeId) ?? []);
  const [enabled, setEnabled] = useState(template ? template.Enabled === 'Y' : true);
  const s = useSubmit(['TemplateName', 'Comment', 'NodeIdList', 'Enabled']);
  const title = template ? t('admEditTemplateNamed', { name: template.TemplateName }) : t('admNewTemplate');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const params = { TemplateName: name, Comment: comment, NodeIdList: chain.join(','), Enabled: enabled };
    if (await s.run(() => (template ? api.rpc('UpdateWorkFlowTemplate', { TemplateId: template.TemplateId, ...params }) : api.rpc('CreateWorkFlowTemplate', params)))) {
      if (!template) {
        setName('');
        setComment('');
        setChain([]);
        setEnabled(true);
      }
      onSaved();
    }
  };
  return (
    <form onSubmit={submit} aria-label={title} className="admin-form card">
      <h3>{title}</h3>
      <Field label={t('admTemplateName')} error={s.fields.TemplateName}>
        {(f) => <input id={f.id} autoFocus={Boolean(template)} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label={t('admDescription')} error={s.fields.Comment}>
        {(f) => <input id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <ChainEditor nodes={nodes} value={chain} onChange={setChain} error={s.fields.NodeIdList} />
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        {t('admTemplateEnabled')}
      </label>
      <ErrorBox error={s.general} />
      <FormButtons busy={s.busy} editing={Boolean(template)} label={t('admCreateTemplate')} onCancel={onCancel} />
    </form>
  );
}

export function TemplatesSection({ templates, nodes, onChanged }: { templates: WfTemplate[]; nodes: WfNode[]; onChanged: () => void }) {
  const { t } = useI18n();
  const { editing, setEditing, error, remove } = useEditAndDelete((id: number) => api.rpc('DeleteWorkFlowTemplate', { TemplateId: id }), onChanged);
  const current = templates.find((x) => x.TemplateId === editing);
  return (
    <section aria-labelledby="adm-templates">
      <h2 id="adm-templates">{t('admTemplates')}</h2>
      <ErrorBox error={error} />
      <AdminTable label={t('admTemplates')} columns={[t('admTemplateName'), t('admChain'), t('admState'), t('admActions')]}>
        {templates.map((x) => (
          <tr key={x.TemplateId} data-template-id={x.TemplateId}>
            <td>{x.TemplateName}{x.IsSystem === 1 && <> <span className="tag">{t('admBuiltIn')}</span></>}{x.Comment && <small className="hint"> — {x.Comment}</small>}</td>
            <td>{[...x.WorkflowNodes.WorkflowNode].sort((a, b) => a.Position - b.Position).map((n) => n.NodeName).join(' → ')}</td>
            <td>{x.Enabled === 'Y' ? t('admEnabled') : t('admDisabled')}</td>
            <td className="row-actions">
              {x.IsSystem === 0 && (
                <>
                  <EditButton name={x.TemplateName} onClick={() => setEditing(x.TemplateId)} />
                  <DeleteButton name={x.TemplateName} onConfirm={() => void remove(x.TemplateId)} />
                </>
              )}
            </td>
          </tr>
        ))}
      </AdminTable>
      {current && <TemplateForm key={current.TemplateId} template={current} nodes={nodes} onSaved={() => { setEditing(null); onChanged(); }} onCancel={() => setEditing(null)} />}
      <TemplateForm nodes={nodes} onSaved={onChanged} />
    </section>
  );
}
