/**
 * DC_* detail: databases, SQL, estimate, precheck steps (GetDataCorrectOrderDetail), the review
 * per statement (ListDataCorrectPreCheckSQL), the execution's progress (GetDataCorrectTaskDetail,
 * ListDBTaskSQLJob) and the files. `loadDataCorrect` fetches it all for the ticket page.
 */
import { api, ApiError, type Body } from '../api.js';
import { useI18n } from '../i18n.js';
import { DataChangeFiles } from './DataChangeFiles.js';
import { DataChangeProgress } from './DataChangeProgress.js';
import { DataChangeReview } from './DataChangeReview.js';

export interface DataCorrectData {
  orderId: number;
  detail: Body;
  statements: Body[];
  task: Body | undefined;
  jobs: Body[];
}

/** The server answers InvalidStatus for the task of a ticket not executed yet: no task. */
const unlessNotRun = (e: unknown) => {
  if (e instanceof ApiError && e.code === 'InvalidStatus') return undefined;
  throw e;
};

export async function loadDataCorrect(orderId: number): Promise<DataCorrectData> {
  const [detail, statements, task] = await Promise.all([
    api.rpc('GetDataCorrectOrderDetail', { OrderId: orderId }).then((r) => r.DataCorrectOrderDetail as Body),
    api.rpc('ListDataCorrectPreCheckSQL', { OrderId: orderId, PageSize: 500 }).then((r) => (r.PreCheckSQLList ?? []) as Body[]),
    api.rpc('GetDataCorrectTaskDetail', { OrderId: orderId }).then((r) => r.DataCorrectTaskDetail as Body, unlessNotRun),
  ]);
  const jobs = task ? ((await api.rpc('ListDBTaskSQLJob', { DBTaskGroupId: task.DBTaskGroupId, PageSize: 100 })).DBTaskSQLJobList ?? []) as Body[] : [];
  return { orderId, detail, statements, task, jobs };
}

export function DataCorrectPanel({ data }: { data: DataCorrectData | undefined }) {
  const { t } = useI18n();
  if (!data) return null;
  const { detail, statements, task, jobs } = data;
  const od = detail.OrderDetail ?? {};
  const dbs: Body[] = detail.DatabaseList?.Database ?? [];
  const steps: Body[] = detail.PreCheckDetail?.TaskCheckDO ?? [];
  const dbNames = new Map(dbs.map((d) => [Number(d.DbId), String(d.SearchName)]));
  const counted = statements.filter((s) => s.AffectRows !== undefined && s.AffectRows !== null);
  const estimated = counted.length > 0 ? counted.reduce((n, s) => n + Number(s.AffectRows), 0) : Number(od.EstimateAffectRows ?? 0);
  const ownRollback = String(od.RbSQL ?? '').trim() !== '' || String(od.RbAttachmentName ?? '') !== '';
  return (
    <section aria-labelledby="dc-title" className="card">
      <h2 id="dc-title">{t('details')}</h2>
      <dl className="facts">
        <dt>{t('database')}</dt>
        <dd>{dbs.map((d) => `${d.SearchName} (${d.EnvType})`).join(', ')}</dd>
        <dt>{t('phase')}</dt>
        <dd><span className="tag" data-testid="dc-status">{detail.Status}</span></dd>
        <dt>{t('execMode')}</dt>
        <dd>{detail.ExecMode}</dd>
        <dt>{t('estimateRows')}</dt>
        <dd>{od.EstimateAffectRows}</dd>
        {detail.PreCheckDetail?.Message && (
          <>
            <dt>{t('dcPrecheckMessage')}</dt>
            <dd data-testid="dc-precheck-message">{detail.PreCheckDetail.Message}</dd>
          </>
        )}
      </dl>
      <h3>{t('sql')}</h3>
      <pre className="sql">{od.SqlType === 'ATTACHMENT' ? od.AttachmentName : od.ExeSQL}</pre>
      {ownRollback && od.RbSQL && (
        <>
          <h3>{t('dcRollbackLabel')}</h3>
          <pre className="sql">{od.RbSQL}</pre>
        </>
      )}
      {steps.length > 0 && (
        <>
          <h3>{t('precheck')}</h3>
          <table className="dc-steps">
            <thead>
              <tr><th scope="col">{t('checkStep')}</th><th scope="col">{t('checkResult')}</th><th scope="col">{t('message')}</th></tr>
            </thead>
            <tbody>
              {steps.map((s, i) => (
                <tr key={i} data-step={s.CheckStep}><td>{s.CheckStep}</td><td>{s.CheckStatus}</td><td>{s.UserTip}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <DataChangeReview statements={statements} dbNames={dbNames} />
      {task && <DataChangeProgress task={task} jobs={jobs} estimated={estimated} />}
      <DataChangeFiles orderId={data.orderId} executed={task !== undefined} ownRollback={ownRollback} />
    </section>
  );
}
