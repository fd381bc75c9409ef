/**
 * Approval nodes (ListWorkFlowNodes): the built-in ones (resolved per ticket) and the tenant's
 * user lists, which CreateWorkFlowNode / UpdateWorkFlowNode / DeleteWorkFlowNode manage.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { ErrorBox } from '../ErrorBox.js';
import { Field } from '../Field.js';
import { FormButtons, useSubmit } from './forms.js';
import { AdminTable, DeleteButton, EditButton, useEditAndDelete } from './list.js';
import { UserChooser, type ChosenUser } from './UserChooser.js';

export interface WfNode {
  NodeId: number;
  NodeName: string;
  NodeType: 'SYS' | 'USER_LIST';
  Comment: string;
  RequiredApprovals: number;
  AuditUsers: { AuditUser: { UserId: number; NickName: string; RealName: string }[] };
}

function NodeForm({ node, onSaved, onCancel }: { node?: WfNode; onSaved: () => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(node?.NodeName ?? '');
  const [comment, setComment] = useState(node?.Comment ?? '');
  const [users, setUsers] = useState<ChosenUser[]>(node?.AuditUsers.AuditUser.map((u) => ({ id: u.UserId, name: `${u.NickName} (${u.RealName})` })) ?? []);
  const [required, setRequired] = useState(String(node?.RequiredApprovals ?? 1));
  const s = useSubmit(['NodeName', 'Comment', 'AuditUserIdList', 'RequiredApprovals']);
  const title = node ? t('admEditNodeNamed', { name: node.NodeName }) : t('admNewNode');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const params = { NodeName: name, Comment: comment, AuditUserIdList: users.map((u) => u.id).join(','), RequiredApprovals: required };
    if (await s.run(() => (node ? api.rpc('UpdateWorkFlowNode', { NodeId: node.NodeId, ...params }) : api.rpc('CreateWorkFlowNode', params)))) {
      if (!node) {
        setName('');
        setComment('');
        setUsers([]);
        setRequired('1');
      }
      onSaved();
    }
  };
  return (
    <form onSubmit={submit} aria-label={title} className="admin-form card">
      <h3>{title}</h3>
      <div className="row">
        <Field label={t('admNodeName')} error={s.fields.NodeName}>
          {(f) => <input id={f.id} autoFocus={Boolean(node)} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('admRequiredApprovals')} error={s.fields.RequiredApprovals} hint={t('admRequiredApprovalsHint')}>
          {(f) => <input id={f.id} type="number" min={1} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={required} onChange={(e) => setRequired(e.target.value)} />}
        </Field>
      </div>
      <Field label={t('admDescription')} error={s.fields.Comment}>
        {(f) => <input id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <UserChooser legend={t('admNodeApprovers')} value={users} onChange={setUsers} error={s.fields.AuditUserIdList} />
      <ErrorBox error={s.general} />
      <FormButtons busy={s.busy} editing={Boolean(node)} label={t('admCreateNode')} onCancel={onCancel} />
    </form>
  );
}

export function NodesSection({ nodes, onChanged }: { nodes: WfNode[]; onChanged: () => void }) {
  const { t } = useI18n();
  const { editing, setEditing, error, remove } = useEditAndDelete((id: number) => api.rpc('DeleteWorkFlowNode', { NodeId: id }), onChanged);
  const current = nodes.find((n) => n.NodeId === editing);
  return (
    <section aria-labelledby="adm-nodes">
      <h2 id="adm-nodes">{t('admNodes')}</h2>
      <p className="hint">{t('admNodesHint')}</p>
      <ErrorBox error={error} />
      <AdminTable label={t('admNodes')} columns={[t('admNodeName'), t('admKind'), t('admNodeApprovers'), t('admRequiredApprovals'), t('admActions')]}>
        {nodes.map((n) => (
          <tr key={n.NodeId} data-node-id={n.NodeId}>
            <td>{n.NodeName}{n.Comment && <small className="hint"> — {n.Comment}</small>}</td>
            <td>{n.NodeType === 'SYS' ? t('admBuiltIn') : t('admUserList')}</td>
            <td>{n.AuditUsers.AuditUser.map((u) => `${u.NickName} (${u.RealName})`).join(', ') || (n.NodeType === 'SYS' ? t('admPerTicket') : '—')}</td>
            <td>{n.RequiredApprovals}</td>
            <td className="row-actions">
              {n.NodeType === 'USER_LIST' && (
                <>
                  <EditButton name={n.NodeName} onClick={() => setEditing(n.NodeId)} />
                  <DeleteButton name={n.NodeName} onConfirm={() => void remove(n.NodeId)} />
                </>
              )}
            </td>
          </tr>
        ))}
      </AdminTable>
      {current && <NodeForm key={current.NodeId} node={current} onSaved={() => { setEditing(null); onChanged(); }} onCancel={() => setEditing(null)} />}
      <NodeForm onSaved={onChanged} />
    </section>
  );
}
