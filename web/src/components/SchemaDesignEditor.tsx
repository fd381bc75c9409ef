/**
 * The design editor: the changes of a schema design in order (ListTableDesignChanges), each one DDL
 * statement, added, edited and removed through the server's Actions (Add/Update/
 * RemoveTableDesignChange), which check that it applies to the base database after the earlier
 * ones and review it; their refusals are shown next to the statement they concern. `editable`
 * comes from GetOrderAvailableActions (EDIT_DESIGN).
 */
import { useState } from 'react';
import { api, ApiError, fieldErrors, type Body } from '../api.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ErrorBox } from './ErrorBox.js';
import { SchemaDesignFindings } from './SchemaDesignFindings.js';
import { SqlField } from './SqlEditor.js';

/** The server's message for the SQL parameter (InvalidSQL, MissingSQL), if the error is about it. */
function sqlErrorOf(e: unknown): string | undefined {
  if (!(e instanceof ApiError)) return undefined;
  const hit = Object.entries(fieldErrors(e)).find(([k]) => k === 'SQL' || k.startsWith('SQL.'));
  return hit ? e.message : undefined;
}

export function SchemaDesignEditor({ orderId, engine, editable, onChanged }: { orderId: number; engine: string | undefined; editable: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { data: changes, error: loadError, reload } = useLoad(() => api.rpc('ListTableDesignChanges', { OrderId: orderId }).then((r) => (r.Changes?.Change ?? []) as Body[]), [orderId]);
  const [draft, setDraft] = useState('');
  // The SQL editor keeps its own text: a new key gives an empty one after a change was added.
  const [draftKey, setDraftKey] = useState(0);
  const [draftError, setDraftError] = useState<string>();
  const [editing, setEditing] = useState<{ id: number; sql: string; error?: string | undefined } | null>(null);
  const [removing, setRemoving] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  /** Runs a design Action; an error about the SQL goes to `onSqlError`, anything else to the box. */
  const call = async (action: string, params: Record<string, unknown>, onSqlError: (msg: string) => void): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await api.rpc(action, { OrderId: orderId, ...params });
      await reload();
      onChanged();
      return true;
    } catch (e) {
      const msg = sqlErrorOf(e);
      if (msg) onSqlError(msg);
      else setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    setDraftError(undefined);
    if (await call('AddTableDesignChange', { SQL: draft }, setDraftError)) {
      setDraft('');
      setDraftKey((k) => k + 1);
    }
  };
  const save = async () => {
    if (!editing) return;
    const current = editing;
    if (await call('UpdateTableDesignChange', { ChangeId: current.id, SQL: current.sql }, (msg) => setEditing({ ...current, error: msg }))) setEditing(null);
  };
  const remove = async (c: Body) => {
    if (await call('RemoveTableDesignChange', { ChangeId: c.ChangeId }, (msg) => setError(new ApiError('InvalidSQL', msg, 200)))) setRemoving(null);
  };

  return (
    <section aria-labelledby="sd-changes-title" className="card sd-editor">
      <h2 id="sd-changes-title">{t('sdChanges')}</h2>
      <ErrorBox error={loadError} onRetry={() => void reload()} />
      {changes && changes.length === 0 && <p className="empty">{t('sdNoChanges')}</p>}
      <ol className="sd-changes">
        {(changes ?? []).map((c) => {
          const n = Number(c.Position);
          const mayEdit = editable && !c.AppliedToBase;
          const mine = editing !== null && editing.id === Number(c.ChangeId) ? editing : null;
          return (
            <li key={c.ChangeId} className="sd-change" data-change-id={c.ChangeId} aria-label={t('sdChangeN', { n })}>
              <div className="sd-change-head">
                <strong>{t('sdChangeN', { n })}</strong> <span className="tag">{c.Kind}</span> <span className="tag">{c.TableName}</span>
                {c.AppliedToBase && <span className="tag">{t('sdAppliedToBase')}</span>}
              </div>
              {mine ? (
                <>
                  <SqlField label={t('sdChangeSql')} value={mine.sql} onChange={(sql) => setEditing((cur) => cur && { ...cur, sql })} engine={engine} error={mine.error} />
                  <div className="buttons">
                    <button type="button" className="primary" disabled={busy} onClick={() => void save()}>{t('sdSave')}</button>
                    <button type="button" onClick={() => setEditing(null)}>{t('cancel')}</button>
                  </div>
                </>
              ) : (
                <pre className="sql">{c.SQL}</pre>
              )}
              <SchemaDesignFindings findings={c.Findings ?? []} />
              {mayEdit && !mine && (
                <div className="buttons">
                  <button type="button" disabled={busy} onClick={() => setEditing({ id: Number(c.ChangeId), sql: String(c.SQL) })} aria-label={`${t('sdEdit')}: ${t('sdChangeN', { n })}`}>{t('sdEdit')}</button>
                  {removing === c.ChangeId ? (
                    <>
                      <span role="status">{t('sdRemoveConfirm', { n })}</span>
                      <button type="button" className="danger" disabled={busy} onClick={() => void remove(c)}>{t('confirm')}: {t('sdRemove')}</button>
                      <button type="button" onClick={() => setRemoving(null)}>{t('cancel')}</button>
                    </>
                  ) : (
                    <button type="button" disabled={busy} onClick={() => setRemoving(Number(c.ChangeId))} aria-label={`${t('sdRemove')}: ${t('sdChangeN', { n })}`}>{t('sdRemove')}</button>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
      <ErrorBox error={error} />
      {editable ? (
        <form
          className="sd-new-change"
          aria-label={t('sdNewChange')}
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <h3>{t('sdNewChange')}</h3>
          <SqlField key={draftKey} label={t('sdChangeSql')} value={draft} onChange={setDraft} engine={engine} error={draftError} hint={t('sdChangeHint')} />
          <button type="submit" className="primary" disabled={busy}>{t('sdAddChange')}</button>
        </form>
      ) : (
        <p className="hint">{t('sdReadOnly')}</p>
      )}
    </section>
  );
}
