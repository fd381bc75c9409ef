/**
 * File a data export (CreateOrder, PluginType DATA_EXPORT): database, SQL in the engine's dialect,
 * reason, estimate, related users. What is valid is the server's call: its errors are shown next
 * to the field they name (Comment, PluginParam keys, RelatedUserList).
 */
import { useId, useState } from 'react';
import { api } from '../api.js';
import { DatabasePicker, type PickedDatabase } from '../components/DatabasePicker.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field, ReasonField } from '../components/Field.js';
import { SqlField } from '../components/SqlEditor.js';
import { UserPicker, type PickedUser } from '../components/UserPicker.js';
import { fieldsFrom, useCreateForm } from '../forms.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';

/** Server parameter (or PluginParam key) → form field. */
const FIELD_OF = fieldsFrom({
  Comment: 'comment',
  'PluginParam.exeSQL': 'sql',
  'PluginParam.dbId': 'db',
  'PluginParam.instanceId': 'db',
  'PluginParam.logic': 'db',
  'PluginParam.affectRows': 'affectRows',
  'PluginParam.ignoreAffectRowsReason': 'ignoreReason',
  'PluginParam.classify': 'classify',
  RelatedUserList: 'users',
});

export function NewExportPage() {
  const { t } = useI18n();
  const ids = useId();
  const [db, setDb] = useState<PickedDatabase>();
  const [sqlText, setSql] = useState('');
  const [comment, setComment] = useState('');
  const [affectRows, setAffectRows] = useState('');
  const [ignore, setIgnore] = useState(false);
  const [ignoreReason, setIgnoreReason] = useState('');
  const [classify, setClassify] = useState('');
  const [users, setUsers] = useState<PickedUser[]>([]);
  const { errors, error, busy, submit } = useCreateForm(FIELD_OF);

  const send = async () => {
    const r = await api.rpc('CreateOrder', {
      PluginType: 'DATA_EXPORT',
      Comment: comment,
      PluginParam: {
        dbId: db?.id,
        logic: false,
        exeSQL: sqlText,
        ...(affectRows.trim() !== '' && { affectRows: affectRows.trim() }),
        ignoreAffectRows: ignore,
        ...(ignore && { ignoreAffectRowsReason: ignoreReason }),
        ...(classify.trim() !== '' && { classify: classify.trim() }),
      },
      RelatedUserList: users.map((u) => u.id).join(','),
    });
    navigate(`/tickets/${r.CreateOrderResult.OrderIds[0]}`);
  };

  return (
    <main>
      <h1>{t('newExportTitle')}</h1>
      <form onSubmit={submit(send)} aria-label={t('newExportTitle')} noValidate className="create-form">
        <DatabasePicker value={db} onChange={setDb} error={errors.db} errorId={`${ids}-db-error`} />
        <SqlField label={t('sqlEditor')} value={sqlText} onChange={setSql} engine={db?.engine} error={errors.sql} />
        <ReasonField value={comment} onChange={setComment} error={errors.comment} />
        <div className="row">
          <Field label={t('affectRows')} error={errors.affectRows}>
            {(f) => <input id={f.id} name="affectRows" inputMode="numeric" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={affectRows} onChange={(e) => setAffectRows(e.target.value)} />}
          </Field>
          <Field label={t('classify')} error={errors.classify}>
            {(f) => <input id={f.id} name="classify" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={classify} onChange={(e) => setClassify(e.target.value)} />}
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={ignore} onChange={(e) => setIgnore(e.target.checked)} /> {t('ignoreAffectRows')}
        </label>
        {ignore && (
          <Field label={t('ignoreAffectRowsReason')} error={errors.ignoreReason}>
            {(f) => <input id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={ignoreReason} onChange={(e) => setIgnoreReason(e.target.value)} />}
          </Field>
        )}
        <UserPicker value={users} onChange={setUsers} error={errors.users} errorId={`${ids}-users-error`} />
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>{t('fileTicket')}</button>
      </form>
    </main>
  );
}
