import { ApiError } from '../api.js';
import { useI18n } from '../i18n.js';

/** An error as the user sees it: a title, the server's message and code; never a stack. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError('ConsoleError', error instanceof Error ? error.message : String(error), 0);
  return (
    <div className="error" role="alert">
      <strong>{t('errorTitle')}</strong>
      {e.message && <p>{e.message}</p>}
      <small>{t('errorCode', { code: e.code })}</small>
      {onRetry && (
        <div>
          <button type="button" onClick={onRetry}>{t('retry')}</button>
        </div>
      )}
    </div>
  );
}
