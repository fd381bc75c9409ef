/**
 * The buttons of a ticket: exactly those GetOrderAvailableActions returns, each calling the
 * Action the server names with the parameters it gives, plus what the user adds (a comment, a
 * close reason, the export format).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type Body } from '../api.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';
import type { MessageKey } from '../messages.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';
import { SchemaDesignPublishFields } from './SchemaDesignPublishFields.js';

export interface AvailableAction {
  Name: string;
  ApiAction: string;
  Params: Record<string, string | number>;
  Enabled: boolean;
  Reason?: string;
}

const FILE_TYPES = ['CSV', 'XLSX', 'JSON', 'TXT', 'SQL'];
const ENCODINGS = ['UTF8', 'UTF8MB4', 'GBK', 'GB2312', 'ISO_8859_1', 'CP1252'];

/** `currentSql`: a data change's SQL, the starting text of EDIT_SQL. */
export function ActionsPanel({ actions, onDone, currentSql }: { actions: AvailableAction[]; onDone: () => void; currentSql?: string | undefined }) {
  const { t } = useI18n();
  const [open, setOpen] = useState<AvailableAction | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({ comment: '', fileType: 'CSV', encoding: 'UTF8', newApprover: '', nodeId: '', position: 'PRE', sql: '' });
  // PUBLISH (schema designs): the target and strategy from SchemaDesignPublishFields.
  const [publish, setPublish] = useState<Record<string, unknown>>({});
  // Keyboard: an opened form takes the focus on its first field; Cancel gives it back to its button.
  const formRef = useRef<HTMLFormElement>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, [open?.Name]);

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
      } else if (a.Name === 'ROLLBACK') {
        // One rollback ticket per database job: open it when there is one, else name them.
        const ids = (res.CreateOrderResult ?? []) as number[];
        if (ids.length === 1) navigate(`/tickets/${ids[0]}`);
        else setNotice(t('dcRollbackFiled', { ids: ids.join(', ') }));
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
      case 'PUBLISH':
        return publish;
      case 'CLOSE':
        return { CloseReason: form.comment };
      case 'EXECUTE':
        return a.ApiAction === 'ExecuteDataExport' ? { ActionDetail: { fileType: form.fileType, encoding: form.encoding } } : {};
      case 'TRANSFER':
        return { Comment: form.comment, NewApprover: form.newApprover };
      case 'EDIT_SQL':
        return { ExecSQL: form.sql };
      case 'ADD_NODE':
        return { Comment: form.comment, ApprovalNodeId: form.nodeId, ApprovalNodePos: form.position };
      default:
        return a.ApiAction === 'ApproveOrder' ? { Comment: form.comment } : {};
    }
  };
  /** Actions that run at once; the others open a small form first. */
  const direct = (a: AvailableAction) => a.Name === 'DOWNLOAD' || a.Name === 'SUBMIT' || a.Name === 'RESTART' || a.Name === 'RESUME' || a.Name === 'ROLLBACK' || (a.Name === 'EXECUTE' && a.ApiAction !== 'ExecuteDataExport');
  /** PAUSE / SUSPEND stop running work: confirmed first, with nothing to add (the Actions take no comment). */
  const stops = (a: AvailableAction) => a.Name === 'PAUSE' || a.Name === 'SUSPEND';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (open) void run(open, extraFor(open));
  };

  return (
    <section aria-labelledby="actions-title" className="card">
      <h2 id="actions-title">{t('actions')}</h2>
      {actions.length === 0 && <p className="empty">{t('noActions')}</p>}
      <div className="buttons" role="group" aria-label={t('actions')}>
        {actions.map((a) => a.Name === 'EDIT_DESIGN' ? (
          // Editing a design is a page of its own (the design editor), not a call.
          <a key={a.Name} className="button-link" href={`#/new/schema-design?order=${a.Params.OrderId}`}>{t('act_EDIT_DESIGN')}</a>
        ) : (
          <button
            key={a.Name}
            type="button"
            className={a.Name === 'APPROVE' || a.Name === 'EXECUTE' || a.Name === 'SUBMIT' || a.Name === 'PUBLISH' ? 'primary' : a.Name === 'REJECT' || stops(a) ? 'danger' : ''}
            disabled={!a.Enabled || busy}
            title={a.Reason}
            aria-describedby={a.Reason ? `reason-${a.Name}` : undefined}
            aria-expanded={direct(a) ? undefined : open?.Name === a.Name}
            onClick={(e) => {
              if (direct(a)) return void run(a, extraFor(a));
              opener.current = e.currentTarget;
              if (a.Name === 'EDIT_SQL' && open?.Name !== a.Name) setForm((f) => ({ ...f, sql: currentSql ?? '' }));
              setOpen(open?.Name === a.Name ? null : a);
            }}
          >
            {t(`act_${a.Name}` as MessageKey)}
          </button>
        ))}
      </div>
      {actions.filter((a) => a.Reason).map((a) => <p key={a.Name} id={`reason-${a.Name}`} className="hint">{t(`act_${a.Name}` as MessageKey)}: {a.Reason}</p>)}
      {open && (
        <form ref={formRef} className="action-form" onSubmit={submit} aria-label={t(`act_${open.Name}` as MessageKey)}>
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
          {open.Name === 'PUBLISH' && <SchemaDesignPublishFields action={open} onChange={setPublish} />}
          {open.Name === 'EDIT_SQL' && (
            <Field label={t('dcNewSql')}>{(f) => <textarea id={f.id} rows={6} className="mono" required value={form.sql} onChange={(e) => setForm({ ...form, sql: e.target.value })} />}</Field>
          )}
          {stops(open) && <p className="hint">{t('actStopHint')}</p>}
          {open.Name !== 'EXECUTE' && open.Name !== 'PUBLISH' && open.Name !== 'EDIT_SQL' && !stops(open) && (
            <Field label={open.Name === 'CLOSE' ? t('closeReason') : t('commentOptional')}>
              {(f) => <textarea id={f.id} rows={3} required={open.Name === 'CLOSE'} value={form.comment} onChange={(e) => setForm({ ...form, comment: e.target.value })} />}
            </Field>
          )}
          <div className="buttons">
            <button type="submit" className={open.Name === 'REJECT' || stops(open) ? 'danger' : 'primary'} disabled={busy}>{t('confirm')}: {t(`act_${open.Name}` as MessageKey)}</button>
            <button type="button" onClick={() => { setOpen(null); opener.current?.focus(); }}>{t('cancel')}</button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
      {notice && <p className="notice" role="status">{notice}</p>}
    </section>
  );
}
