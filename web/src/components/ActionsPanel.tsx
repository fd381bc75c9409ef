/**
 * The buttons of a ticket: exactly those GetOrderAvailableActions returns, each calling the
 * Action the server names with the parameters it gives, plus what the user adds (a comment, a
 * close reason, the export format).
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, type Body } from '../api.js';
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../messages.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';

export interface AvailableAction {
  Name: string;
  ApiAction: string;
  Params: Record<string, string | number>;
  Enabled: boolean;
  Reason?: string;
}

const FILE_TYPES = ['CSV', 'XLSX', 'JSON', 'TXT', 'SQL'];
const ENCODINGS = ['UTF8', 'UTF8MB4', 'GBK', 'GB2312', 'ISO_8859_1', 'CP1252'];

export function ActionsPanel({ actions, onDone }: { actions: AvailableAction[]; onDone: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState<AvailableAction | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({ comment: '', fileType: 'CSV', encoding: 'UTF8', newApprover: '', nodeId: '', position: 'PRE' });

  const run = async (a: AvailableAction, extra: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      const res: Body = await api.rpc(a.ApiAction, { ...a.Params, ...extra });
      if (a.Name === 'DOWNLOAD') {
        const r = res.DownloadURLResult;
        if (!r?.HasResult) throw new ApiError('NoResult', String(r?.TipMessage ?? ''), 200);
        const link = document.createElement('a');
        link.href = r.URL;
        link.rel = 'noopener';
        document.body.appendChild(link);
        link.click();
        link.remove();
        setNotice(t('downloadReady', { tip: r.TipMessage ?? '' }));
      } else {
        setNotice(t('done'));
      }
      setOpen(null);
      setForm((f) => ({ ...f, comment: '' }));
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  /** What the user adds to each Action. */
  const extraFor = (a: AvailableAction): Record<string, unknown> => {
    switch (a.Name) {
      case 'CLOSE':
        return { CloseReason: form.comment };
      case 'EXECUTE':
        return a.ApiAction === 'ExecuteDataExport' ? { ActionDetail: { fileType: form.fileType, encoding: form.encoding } } : {};
      case 'TRANSFER':
        return { Comment: form.comment, NewApprover: form.newApprover };
      case 'ADD_NODE':
        return { Comment: form.comment, ApprovalNodeId: form.nodeId, ApprovalNodePos: form.position };
      default:
        return a.ApiAction === 'ApproveOrder' ? { Comment: form.comment } : {};
    }
  };
  /** Actions that run at once; the others open a small form first. */
  const direct = (a: AvailableAction) => a.Name === 'DOWNLOAD' || a.Name === 'SUBMIT' || a.Name === 'RESTART' || (a.Name === 'EXECUTE' && a.ApiAction !== 'ExecuteDataExport');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (open) void run(open, extraFor(open));
  };

  return (
    <section aria-labelledby="actions-title" className="card">
      <h2 id="actions-title">{t('actions')}</h2>
      {actions.length === 0 && <p className="empty">{t('noActions')}</p>}
      <div className="buttons" role="group" aria-label={t('actions')}>
        {actions.map((a) => (
          <button
            key={a.Name}
            type="button"
            className={a.Name === 'APPROVE' || a.Name === 'EXECUTE' || a.Name === 'SUBMIT' ? 'primary' : a.Name === 'REJECT' ? 'danger' : ''}
            disabled={!a.Enabled || busy}
            title={a.Reason}
            aria-describedby={a.Reason ? `reason-${a.Name}` : undefined}
            aria-expanded={direct(a) ? undefined : open?.Name === a.Name}
            onClick={() => (direct(a) ? void run(a, extraFor(a)) : setOpen(open?.Name === a.Name ? null : a))}
          >
            {t(`act_${a.Name}` as MessageKey)}
          </button>
        ))}
      </div>
      {actions.filter((a) => a.Reason).map((a) => <p key={a.Name} id={`reason-${a.Name}`} className="hint">{t(`act_${a.Name}` as MessageKey)}: {a.Reason}</p>)}
      {open && (
        <form className="action-form" onSubmit={submit} aria-label={t(`act_${open.Name}` as MessageKey)}>
          {open.Name === 'EXECUTE' && (
            <>
              <Field label={t('fileType')}>{(f) => <select id={f.id} value={form.fileType} onChange={(e) => setForm({ ...form, fileType: e.target.value })}>{FILE_TYPES.map((x) => <option key={x}>{x}</option>)}</select>}</Field>
              <Field label={t('encoding')}>{(f) => <select id={f.id} value={form.encoding} onChange={(e) => setForm({ ...form, encoding: e.target.value })}>{ENCODINGS.map((x) => <option key={x}>{x}</option>)}</select>}</Field>
            </>
          )}
          {open.Name === 'TRANSFER' && <Field label={t('newApprover')}>{(f) => <input id={f.id} inputMode="numeric" required value={form.newApprover} onChange={(e) => setForm({ ...form, newApprover: e.target.value })} />}</Field>}
          {open.Name === 'ADD_NODE' && (
            <>
              <Field label={t('nodeId')}>{(f) => <input id={f.id} inputMode="numeric" required value={form.nodeId} onChange={(e) => setForm({ ...form, nodeId: e.target.value })} />}</Field>
              <Field label={t('position')}>
                {(f) => (
                  <select id={f.id} value={form.position} onChange={(e) => setForm({ ...form, position: e.target.value })}>
                    <option value="PRE">{t('before')}</option>
                    <option value="POST">{t('after')}</option>
                  </select>
                )}
              </Field>
            </>
          )}
          {open.Name !== 'EXECUTE' && (
            <Field label={open.Name === 'CLOSE' ? t('closeReason') : t('commentOptional')}>
              {(f) => <textarea id={f.id} rows={3} required={open.Name === 'CLOSE'} value={form.comment} onChange={(e) => setForm({ ...form, comment: e.target.value })} />}
            </Field>
          )}
          <div className="buttons">
            <button type="submit" className={open.Name === 'REJECT' ? 'danger' : 'primary'} disabled={busy}>{t('confirm')}: {t(`act_${open.Name}` as MessageKey)}</button>
            <button type="button" onClick={() => setOpen(null)}>{t('cancel')}</button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
      {notice && <p className="notice" role="status">{notice}</p>}
    </section>
  );
}
