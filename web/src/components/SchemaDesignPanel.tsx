/**
 * A schema design in its ticket: the base and status (GetTableDesignProjectInfo), the stages of its
 * R&D flow with the current one (GetTableDesignProjectFlow), its changes (ListTableDesignChanges)
 * and every publish with the script of each table on each target database (ListDDLPublishRecords).
 * `stamp` changes when the ticket page reloaded: this loads again.
 */
import { api, type Body } from '../api.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ErrorBox } from './ErrorBox.js';
import { SchemaDesignFindings } from './SchemaDesignFindings.js';

async function load(orderId: number) {
  const [info, flow, changes, records] = await Promise.all([
    api.rpc('GetTableDesignProjectInfo', { OrderId: orderId }).then((r) => r.ProjectInfo as Body),
    api.rpc('GetTableDesignProjectFlow', { OrderId: orderId }).then((r) => r.ProjectFlow as Body),
    api.rpc('ListTableDesignChanges', { OrderId: orderId }).then((r) => (r.Changes?.Change ?? []) as Body[]),
    api.rpc('ListDDLPublishRecords', { OrderId: orderId }).then((r) => (r.DDLPublishRecordList ?? []) as Body[]),
  ]);
  // The names of the databases published to (a database the caller may not see keeps its id).
  const ids = [...new Set(records.flatMap((r) => ((r.PublishTaskInfoList ?? []) as Body[]).map((x) => Number(x.DbId))))];
  const names = new Map<number, string>();
  await Promise.all(ids.map((id) => api.rpc('GetPhysicalDatabase', { DbId: id }).then((r) => names.set(id, String(r.Database?.SearchName ?? `#${id}`)), () => names.set(id, `#${id}`))));
  return { info, flow, changes, records, names };
}

export function SchemaDesignPanel({ orderId, stamp }: { orderId: number; stamp: string }) {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(() => load(orderId), [orderId, stamp]);
  if (!data) return <ErrorBox error={error} onRetry={() => void reload()} />;
  const base = data.info.BaseDatabase as Body;
  const nodes = (data.flow.FlowNodeArray ?? []) as Body[];
  const current = Number(data.flow.CurrentPosition);
  return (
    <section aria-labelledby="sd-title" className="card sd-panel">
      <h2 id="sd-title">{t('sdDesign')}: {data.info.Title}</h2>
      <ErrorBox error={error} onRetry={() => void reload()} />
      <dl className="facts">
        <dt>{t('sdBase')}</dt>
        <dd>{base.SearchName ?? `#${base.DbId}`} {base.DbType && <span className="tag">{base.DbType}</span>} {base.EnvType && <span className="tag">{base.EnvType}</span>}</dd>
        <dt>{t('sdProjectStatus')}</dt>
        <dd><span className="tag" data-testid="sd-status">{data.info.Status}</span></dd>
      </dl>

      <h3 id="sd-flow-title">{t('sdFlow')}{data.flow.RuleName ? ` · ${data.flow.RuleName}` : ''}</h3>
      <ol className="sd-flow" aria-labelledby="sd-flow-title">
        {nodes.map((n) => {
          const pos = Number(n.Position);
          const state = pos < current ? 'done' : pos === current ? 'current' : 'todo';
          return (
            <li key={pos} className={`sd-node sd-node-${state}`} aria-current={state === 'current' ? 'step' : undefined} data-position={pos}>
              <span>{state === 'done' ? '✓ ' : ''}{n.NodeTitle}</span> {n.EnvType && <span className="tag">{n.EnvType}</span>}
              {state === 'current' && <strong className="sd-current"> · {t('sdCurrentStage')}</strong>}
            </li>
          );
        })}
      </ol>

      <h3>{t('sdChanges')}</h3>
      {data.changes.length === 0 && <p className="empty">{t('sdNoChanges')}</p>}
      <ol className="sd-changes">
        {data.changes.map((c) => (
          <li key={c.ChangeId} className="sd-change">
            <div className="sd-change-head">
              <strong>{t('sdChangeN', { n: Number(c.Position) })}</strong> <span className="tag">{c.Kind}</span> <span className="tag">{c.TableName}</span>
              {c.AppliedToBase && <span className="tag">{t('sdAppliedToBase')}</span>}
            </div>
            <pre className="sql">{c.SQL}</pre>
            <SchemaDesignFindings findings={c.Findings ?? []} />
          </li>
        ))}
      </ol>

      <h3>{t('sdPublishes')}</h3>
      {data.records.length === 0 && <p className="empty">{t('sdNoPublishes')}</p>}
      {data.records.map((r, i) => (
        <article key={String(r.TaskId)} className="sd-publish" data-task-id={r.TaskId} aria-label={t('sdPublishN', { n: i + 1, stage: Number(r.Stage) })}>
          <h4>{t('sdPublishN', { n: i + 1, stage: Number(r.Stage) })}</h4>
          <dl className="facts">
            <dt>{t('sdAudit')}</dt>
            <dd><span className="tag">{r.AuditStatus}</span></dd>
            <dt>{t('sdPublishStatus')}</dt>
            <dd><span className="tag" data-testid="sd-publish-status">{r.PublishStatus}</span></dd>
            <dt>{t('sdRisk')}</dt>
            <dd><span className="tag">{r.RiskLevel}</span></dd>
          </dl>
          {r.StatusDesc && r.StatusDesc !== r.PublishStatus && <p className="hint">{r.StatusDesc}</p>}
          {((r.PublishTaskInfoList ?? []) as Body[]).map((task) => (
            <div key={String(task.DbId)} className="table-wrap" data-db-id={task.DbId}>
              <table>
                <caption>{t('sdTarget')}: {data.names.get(Number(task.DbId))}</caption>
                <thead>
                  <tr><th scope="col">{t('sdTable')}</th><th scope="col">{t('sdJobStatus')}</th><th scope="col">{t('sdScripts')}</th></tr>
                </thead>
                <tbody>
                  {((task.PublishJobList ?? []) as Body[]).map((j, k) => (
                    <tr key={k}>
                      <td>{j.TableName}</td>
                      <td><span className="tag">{j.TaskJobStatus}</span></td>
                      <td><pre className="sql">{j.Scripts}</pre></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </article>
      ))}
    </section>
  );
}
