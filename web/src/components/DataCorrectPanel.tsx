/** DC_* detail (GetDataCorrectOrderDetail): databases, SQL, estimate, precheck steps. */
import type { Body } from '../api.js';
import { useI18n } from '../i18n.js';

export function DataCorrectPanel({ detail }: { detail: Body | undefined }) {
  const { t } = useI18n();
  if (!detail) return null;
  const od = detail.OrderDetail ?? {};
  const dbs: Body[] = detail.DatabaseList?.Database ?? [];
  const steps: Body[] = detail.PreCheckDetail?.TaskCheckDO ?? [];
  return (
    <section aria-labelledby="dc-title" className="card">
      <h2 id="dc-title">{t('details')}</h2>
      <dl className="facts">
        <dt>{t('database')}</dt>
        <dd>{dbs.map((d) => `${d.SearchName} (${d.EnvType})`).join(', ')}</dd>
        <dt>{t('phase')}</dt>
        <dd><span className="tag">{detail.Status}</span></dd>
        <dt>{t('execMode')}</dt>
        <dd>{detail.ExecMode}</dd>
        <dt>{t('estimateRows')}</dt>
        <dd>{od.EstimateAffectRows}</dd>
      </dl>
      <h3>{t('sql')}</h3>
      <pre className="sql">{od.ExeSQL}</pre>
      {steps.length > 0 && (
        <>
          <h3>{t('precheck')}</h3>
          <table>
            <thead>
              <tr><th scope="col">{t('checkStep')}</th><th scope="col">{t('checkResult')}</th><th scope="col">{t('message')}</th></tr>
            </thead>
            <tbody>
              {steps.map((s, i) => (
                <tr key={i}><td>{s.CheckStep}</td><td>{s.CheckStatus}</td><td>{s.UserTip}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
