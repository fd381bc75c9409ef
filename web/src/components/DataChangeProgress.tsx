/**
 * The execution of a data change (GetDataCorrectTaskDetail, ListDBTaskSQLJob): rows changed so far
 * against the precheck's row count, and each database's job. The ticket page reloads it every
 * second while the ticket runs, so the bar moves without a page reload.
 */
import type { Body } from '../api.js';
import { useI18n } from '../i18n.js';

export function DataChangeProgress({ task, jobs, estimated }: { task: Body; jobs: Body[]; estimated: number }) {
  const { t } = useI18n();
  const done = Number(task.ActualAffectRows ?? 0);
  const status = String(task.jobStatus ?? '');
  const max = Math.max(estimated, done, 1);
  return (
    <div className="dc-execution">
      <h3>{t('dcExecution')}</h3>
      <div className="progress-block">
        <label htmlFor="dc-progress">{t('dcProgress')}</label>
        <progress id="dc-progress" max={max} value={status === 'SUCCESS' ? max : done} />
        <span data-testid="dc-rows-done">{estimated > 0 ? t('dcProgressText', { done, total: estimated }) : t('dcProgressRows', { done })}</span>
        <span className="tag" data-testid="dc-job-status">{status}</span>
      </div>
      {jobs.length > 0 && (
        <div className="table-wrap">
          <table aria-label={t('dcJobs')}>
            <thead>
              <tr><th scope="col">{t('database')}</th><th scope="col">{t('dcJobStatus')}</th><th scope="col">{t('dcRows')}</th><th scope="col">{t('message')}</th></tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.JobId}><td>{j.DbSearchName}</td><td>{j.Status}</td><td>{j.AffectRows}</td><td>{j.Message ?? ''}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
