/**
 * File a regular data change (CreateDataCorrectOrder, DC_COMMON): several databases, the SQL typed
 * in the editor or uploaded as a .sql file (POST /console/api/attachments → AttachmentName),
 * rollback SQL, exec mode, estimated rows, reason, related users. What is valid is the server's
 * call: its errors are shown next to the field they name (Comment, Param keys, RelatedUserList).
 */
import { useId, useState, type ChangeEvent } from 'react';
import { api, ApiError } from '../api.js';
import { DataChangeDbPicker } from '../components/DataChangeDbPicker.js';
import type { PickedDatabase } from '../components/DatabasePicker.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field, ReasonField } from '../components/Field.js';
import { SqlField } from '../components/SqlEditor.js';
import { UserPicker, type PickedUser } from '../components/UserPicker.js';
import { useCreateForm } from '../forms.js';
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../messages.js';
import { navigate } from '../router.js';

const EXEC_MODES = ['COMMITOR', 'LAST_AUDITOR', 'AUTO'] as const;

/** Server parameter or Param key (the server names them in lower camel case) → form field. */
function fieldOf(param: string, source: 'TEXT' | 'ATTACHMENT'): string | undefined {
  if (param === 'Comment') return 'comment';
  if (param === 'RelatedUserList') return 'users';
  const key = /^Param\.(\w+)/.exec(param)?.[1];
  switch (key) {
    case 'dbItemList':
      return 'dbs';
    case 'execSQL':
    case 'execSql':
      return source === 'TEXT' ? 'sql' : 'file';
    case 'attachmentName':
    case 'sqlType':
      return source === 'TEXT' ? 'sql' : 'file';
    case 'rbSQL':
    case 'rollbackSQL':
    case 'rbSQLType':
    case 'rollbackSqlType':
      return 'rollback';
    case 'estimateAffectRows':
      return 'estimate';
    case 'execMode':
      return 'execMode';
    default:
      return undefined;
  }
}

export function NewDataChangePage() {
  const { t } = useI18n();
  const ids = useId();
  const [dbs, setDbs] = useState<PickedDatabase[]>([]);
  const [source, setSource] = useState<'TEXT' | 'ATTACHMENT'>('TEXT');
  const [sqlText, setSql] = useState('');
  const [upload, setUpload] = useState<{ key: string; name: string; size: number }>();
  const [uploading, setUploading] = useState(false);
  const [rollback, setRollback] = useState('');
  const [execMode, setExecMode] = useState<(typeof EXEC_MODES)[number]>('COMMITOR');
  const [estimate, setEstimate] = useState('');
  const [comment, setComment] = useState('');
  const [users, setUsers] = useState<PickedUser[]>([]);
  const { errors, setErrors, error, busy, submit } = useCreateForm((param) => fieldOf(param, source));

  const chooseFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setUpload(undefined);
    if (!file) return;
    setUploading(true);
    setErrors((x) => ({ ...x, file: '' }));
    try {
      const r = await api.upload(file, 'datacorrect');
      setUpload({ key: r.AttachmentKey, name: r.FileName, size: r.FileSize });
    } catch (err) {
      // The upload's own refusal (size, name) belongs to the file field.
      setErrors((x) => ({ ...x, file: err instanceof ApiError ? err.message : String(err) }));
    } finally {
      setUploading(false);
    }
  };

  const send = async () => {
    const r = await api.rpc('CreateDataCorrectOrder', {
      Comment: comment,
      Param: {
        DbItemList: dbs.map((d) => ({ DbId: d.id, Logic: false })),
        SqlType: source,
        ...(source === 'TEXT' ? { ExecSQL: sqlText } : { AttachmentName: upload?.key ?? '' }),
        ...(rollback.trim() !== '' && { RollbackSqlType: 'TEXT', RollbackSQL: rollback }),
        ExecMode: execMode,
        ...(estimate.trim() !== '' && { EstimateAffectRows: estimate.trim() }),
      },
      RelatedUserList: users.map((u) => u.id).join(','),
    });
    navigate(`/tickets/${r.CreateOrderResult[0]}`);
  };

  const engine = dbs[0]?.engine;
  return (
    <main>
      <h1>{t('dcNewTitle')}</h1>
      <form onSubmit={submit(send)} aria-label={t('dcNewTitle')} noValidate className="create-form">
        <DataChangeDbPicker value={dbs} onChange={setDbs} error={errors.dbs} errorId={`${ids}-dbs-error`} />
        <fieldset className="field">
          <legend>{t('dcSqlSource')}</legend>
          <div className="row">
            <label className="check">
              <input type="radio" name="sqlSource" checked={source === 'TEXT'} onChange={() => setSource('TEXT')} /> {t('dcSourceText')}
            </label>
            <label className="check">
              <input type="radio" name="sqlSource" checked={source === 'ATTACHMENT'} onChange={() => setSource('ATTACHMENT')} /> {t('dcSourceFile')}
            </label>
          </div>
        </fieldset>
        {source === 'TEXT' ? (
          <SqlField label={t('dcSqlLabel')} value={sqlText} onChange={setSql} engine={engine} error={errors.sql} />
        ) : (
          <Field label={t('dcFileLabel')} error={errors.file || undefined}>
            {(f) => (
              <>
                <input id={f.id} type="file" accept=".sql,text/plain,application/sql" aria-invalid={f.invalid} aria-describedby={f.describedBy} onChange={(e) => void chooseFile(e)} />
                <p className="hint" aria-live="polite" data-testid="dc-upload">
                  {uploading ? t('dcUploading') : upload ? t('dcUploaded', { name: upload.name, size: upload.size }) : ''}
                </p>
              </>
            )}
          </Field>
        )}
        <Field label={t('dcRollbackLabel')} error={errors.rollback} hint={t('dcRollbackHint')}>
          {(f) => <textarea id={f.id} name="rollback" rows={3} className="mono" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={rollback} onChange={(e) => setRollback(e.target.value)} />}
        </Field>
        <div className="row">
          <Field label={t('dcExecMode')} error={errors.execMode}>
            {(f) => (
              <select id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={execMode} onChange={(e) => setExecMode(e.target.value as (typeof EXEC_MODES)[number])}>
                {EXEC_MODES.map((m) => <option key={m} value={m}>{t(`dcExec${m}` as MessageKey)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('dcEstimate')} error={errors.estimate} hint={t('dcEstimateHint')}>
            {(f) => <input id={f.id} name="estimate" inputMode="numeric" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={estimate} onChange={(e) => setEstimate(e.target.value)} />}
          </Field>
        </div>
        <ReasonField value={comment} onChange={setComment} error={errors.comment} />
        <UserPicker value={users} onChange={setUsers} error={errors.users} errorId={`${ids}-users-error`} />
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy || uploading}>{t('fileTicket')}</button>
      </form>
    </main>
  );
}
