/** DATA_EXPORT detail (GetDataExportOrderDetail, GetDataExportPreCheckDetail): database, SQL, job status and a progress bar while it runs. */
import type { Body } from '../api.js';
import { useI18n } from '../i18n.js';

export function ExportPanel({ detail, precheck }: { detail: Body | undefined; precheck: Body | undefined }) {
  const { t } = useI18n();
  if (!detail) return null;
  const key = detail.KeyInfo ?? {};
  const od = detail.OrderDetail ?? {};
  const statements: Body[] = precheck?.PreCheckDetailList?.PreCheckDetailList ?? [];
  const estimated = statements.reduce((n, s) => n + (Number(s.AffectRows) || 0), 0);
  const running = key.JobStatus === 'DOING_EXPORT' || key.JobStatus === 'WAITING_EXPORT' || key.JobStatus === 'EXPORT_SUCCESS';
  const done = Number(od.ActualAffectRows ?? 0);
  return (
    <section aria-labelledby="export-title" className="card">
      <h2 id="export-title">{t('details')}</h2>
      <dl className="facts">
        <dt>{t('database')}</dt>
        <dd>{od.Database}</dd>
        <dt>{t('environment')}</dt>
        <dd>{od.EnvType}</dd>
        <dt>{t('phase')}</dt>
        <dd><span className="tag" data-testid="job-status">{key.JobStatus}</span></dd>
        {statements.length > 0 && (
          <>
            <dt>{t('rowsEstimated')}</dt>
            <dd>{estimated}</dd>
          </>
        )}
      </dl>
      <h3>{t('sql')}</h3>
      <pre className="sql">{od.ExeSQL}</pre>
      {running && (
        <div className="progress-block">
          <label htmlFor="export-progress">{t('progress')}</label>
          <progress id="export-progress" max={Math.max(estimated, done, 1)} value={key.JobStatus === 'EXPORT_SUCCESS' ? Math.max(estimated, done, 1) : done} />
          <span data-testid="rows-done">{estimated > 0 ? t('progressText', { done, total: estimated }) : t('progressRows', { done })}</span>
        </div>
      )}
    </section>
  );
}
