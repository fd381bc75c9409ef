/**
 * The files of a data change behind signed, expiring links (src/http/data-changes.routes.ts): the
 * SQL as filed (GetDataCorrectSQLFile), the rollback (GetDataCorrectRollbackFile: the committer's
 * own, or once executed the one generated from the backups) and the backups, one per database
 * job (GetDataCorrectBackupFiles). A link is asked for when clicked, so it has not expired.
 */
import { useState } from 'react';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorBox } from './ErrorBox.js';

function startDownload(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

export function DataChangeFiles({ orderId, executed, ownRollback }: { orderId: number; executed: boolean; ownRollback: boolean }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [backups, setBackups] = useState<string[]>();
  const [busy, setBusy] = useState(false);

  const get = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const file = (action: string) => get(async () => startDownload(String((await api.rpc(action, { OrderId: orderId })).FileUrl)));
  const backup = () => get(async () => setBackups(((await api.rpc('GetDataCorrectBackupFiles', { OrderId: orderId })).DataCorrectBackupFiles?.FileUrl ?? []) as string[]));

  return (
    <div className="dc-files">
      <h3>{t('dcFiles')}</h3>
      <div className="buttons" role="group" aria-label={t('dcFiles')}>
        <button type="button" disabled={busy} onClick={() => void file('GetDataCorrectSQLFile')}>{t('dcFileSql')}</button>
        {(executed || ownRollback) && <button type="button" disabled={busy} onClick={() => void file('GetDataCorrectRollbackFile')}>{t('dcFileRollback')}</button>}
        {executed && <button type="button" disabled={busy} onClick={() => void backup()}>{t('dcFileBackup')}</button>}
      </div>
      {backups && (
        backups.length === 0 ? (
          <p className="empty">{t('dcNoBackup')}</p>
        ) : (
          <ul className="dc-backups">
            {backups.map((u, i) => (
              <li key={u}>
                <a href={u} download rel="noopener">{t('dcBackupFile', { n: i + 1 })}</a>
              </li>
            ))}
          </ul>
        )
      )}
      <ErrorBox error={error} />
    </div>
  );
}
