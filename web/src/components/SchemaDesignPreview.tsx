/**
 * The script a publish of a design to one database would run now (PreviewPublishScript): the
 * server plans it on that database (what it already has is left out, drift is refused) and reviews
 * it there; nothing is computed here. `stamp` changes when the design changed: it loads again.
 */
import { useId } from 'react';
import { api, type Body } from '../api.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ErrorBox } from './ErrorBox.js';
import { SchemaDesignFindings } from './SchemaDesignFindings.js';

export function SchemaDesignPreview({ orderId, dbId, stamp }: { orderId: number; dbId: number; stamp: string }) {
  const { t } = useI18n();
  const id = useId();
  const { data, error, loading, reload } = useLoad(() => api.rpc('PreviewPublishScript', { OrderId: orderId, DbId: dbId }) as Promise<Body>, [orderId, dbId, stamp]);
  return (
    <section aria-labelledby={`${id}-title`} className="sd-preview" aria-busy={loading} data-db-id={dbId}>
      <h3 id={`${id}-title`}>{t('sdPreview')}</h3>
      <ErrorBox error={error} />
      {data && !error && (
        <>
          <dl className="facts">
            <dt>{t('sdStage')}</dt>
            <dd>{data.Stage}</dd>
            <dt>{t('sdRisk')}</dt>
            <dd><span className="tag" data-testid="sd-risk">{data.RiskLevel}</span></dd>
            <dt>{t('sdPending')}</dt>
            <dd>{(data.Pending as number[]).join(', ') || '—'}</dd>
            <dt>{t('sdApplied')}</dt>
            <dd>{(data.Applied as number[]).join(', ') || '—'}</dd>
          </dl>
          {data.Script ? <pre className="sql" data-testid="sd-script">{data.Script}</pre> : <p className="empty">{t('sdPreviewEmpty')}</p>}
          <SchemaDesignFindings findings={data.Findings ?? []} />
        </>
      )}
      <button type="button" onClick={() => void reload()} disabled={loading}>{t('sdPreviewRefresh')}</button>
    </section>
  );
}
