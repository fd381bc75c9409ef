/**
 * A new schema design (CreateOrder, PluginType NDDL): title, base database, reason, description,
 * related users; then, on the same route with `?order=<id>`, the design editor (its changes) and
 * the preview of the script the server would run on the base or another database. What is valid
 * is the server's call: its errors go next to the field they name.
 */
import { useId, useState } from 'react';
import { api, ApiError, type Body } from '../api.js';
import type { AvailableAction } from '../components/ActionsPanel.js';
import { DatabasePicker, type PickedDatabase } from '../components/DatabasePicker.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field, ReasonField } from '../components/Field.js';
import { SchemaDesignEditor } from '../components/SchemaDesignEditor.js';
import { SchemaDesignPreview } from '../components/SchemaDesignPreview.js';
import { UserPicker, type PickedUser } from '../components/UserPicker.js';
import { fieldsFrom, useCreateForm } from '../forms.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';

/** Server parameter (or PluginParam key) → form field. */
const FIELD_OF = fieldsFrom({
  Comment: 'comment',
  'PluginParam.title': 'title',
  'PluginParam.description': 'description',
  'PluginParam.dbId': 'db',
  'PluginParam.logic': 'db',
  // A base of the wrong environment: InvalidDbId "… PluginParam is not valid: dbId: …".
  'DbId.dbId': 'db',
  DbId: 'db',
  'PluginParam.relatedIds': 'users',
  RelatedUserList: 'users',
});

/** The base's environment check names dbId inside a sentence with its own "; ": keep all of it. */
function wholeDbMessage(err: unknown, fields: Record<string, string>) {
  if (err instanceof ApiError && err.code === 'InvalidDbId') fields.db = /dbId: (.*)$/s.exec(err.message)?.[1] ?? err.message;
}

export function NewSchemaDesignPage({ orderId }: { orderId: number | undefined }) {
  return orderId ? <DesignEditorPage orderId={orderId} /> : <CreateDesignForm />;
}

function CreateDesignForm() {
  const { t } = useI18n();
  const ids = useId();
  const [title, setTitle] = useState('');
  const [db, setDb] = useState<PickedDatabase>();
  const [comment, setComment] = useState('');
  const [description, setDescription] = useState('');
  const [users, setUsers] = useState<PickedUser[]>([]);
  const { errors, error, busy, submit } = useCreateForm(FIELD_OF, wholeDbMessage);

  const send = async () => {
    const r = await api.rpc('CreateOrder', {
      PluginType: 'NDDL',
      Comment: comment,
      PluginParam: { title, ...(description.trim() !== '' && { description }), dbId: db?.id, logic: false, relatedIds: users.map((u) => u.id) },
    });
    navigate(`/new/schema-design?order=${r.CreateOrderResult.OrderIds[0]}`);
  };

  return (
    <main>
      <h1>{t('sdNewTitle')}</h1>
      <form onSubmit={submit(send)} aria-label={t('sdNewTitle')} noValidate className="create-form">
        <Field label={t('sdTitle')} error={errors.title}>
          {(f) => <input id={f.id} name="title" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <DatabasePicker value={db} onChange={setDb} error={errors.db} errorId={`${ids}-db-error`} />
        <p className="hint">{t('sdBaseHint')}</p>
        <ReasonField value={comment} onChange={setComment} error={errors.comment} />
        <Field label={t('sdDescription')} error={errors.description}>
          {(f) => <textarea id={f.id} name="description" rows={2} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <UserPicker value={users} onChange={setUsers} error={errors.users} errorId={`${ids}-users-error`} />
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>{t('sdCreate')}</button>
      </form>
    </main>
  );
}

async function loadDesign(orderId: number) {
  const [info, actions] = await Promise.all([
    api.rpc('GetTableDesignProjectInfo', { OrderId: orderId }).then((r) => r.ProjectInfo as Body),
    api.rpc('GetOrderAvailableActions', { OrderId: orderId }).then((r) => (r.Actions?.Action ?? []) as AvailableAction[]),
  ]);
  return { info, editable: actions.some((a) => a.Name === 'EDIT_DESIGN') };
}

function DesignEditorPage({ orderId }: { orderId: number }) {
  const { t } = useI18n();
  const ids = useId();
  const { data, error, reload } = useLoad(() => loadDesign(orderId), [orderId]);
  const [version, setVersion] = useState(0);
  const [target, setTarget] = useState<'base' | 'other'>('base');
  const [other, setOther] = useState<PickedDatabase>();
  const base = data?.info.BaseDatabase as Body | undefined;
  const previewDb = target === 'base' ? Number(base?.DbId) : other?.id;

  return (
    <main>
      <p><a href={`#/tickets/${orderId}`}>← {t('sdToTicket')}</a></p>
      <ErrorBox error={error} onRetry={() => void reload()} />
      {data && base && (
        <>
          <h1>{t('sdEditorTitle', { id: orderId })}: {data.info.Title}</h1>
          <dl className="facts">
            <dt>{t('sdBase')}</dt>
            <dd>{base.SearchName} <span className="tag">{base.DbType}</span> <span className="tag">{base.EnvType}</span></dd>
            <dt>{t('sdProjectStatus')}</dt>
            <dd><span className="tag">{data.info.Status}</span></dd>
          </dl>
          <div className="sd-layout">
            <SchemaDesignEditor orderId={orderId} engine={base.DbType} editable={data.editable} onChanged={() => setVersion((v) => v + 1)} />
            <section aria-labelledby={`${ids}-target`} className="card">
              <fieldset className="field sd-target">
                <legend id={`${ids}-target`}>{t('sdPreviewTarget')}</legend>
                <label>
                  <input type="radio" name="sd-preview-target" checked={target === 'base'} onChange={() => setTarget('base')} /> {t('sdPreviewBase', { name: String(base.SearchName) })}
                </label>
                <label>
                  <input type="radio" name="sd-preview-target" checked={target === 'other'} onChange={() => setTarget('other')} /> {t('sdPreviewOther')}
                </label>
              </fieldset>
              {target === 'other' && <DatabasePicker value={other} onChange={setOther} errorId={`${ids}-other-error`} />}
              {previewDb ? <SchemaDesignPreview orderId={orderId} dbId={previewDb} stamp={String(version)} /> : null}
            </section>
          </div>
        </>
      )}
    </main>
  );
}
