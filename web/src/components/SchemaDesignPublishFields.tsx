/**
 * What the user adds to PUBLISH (CreatePublishGroupTask) in the ticket's actions: the target (the
 * server names the base for the design stage; for a later stage the user picks a database and the
 * server checks its environment), when it runs, and the script the server would run there now.
 */
import { useEffect, useId, useState } from 'react';
import { api, type Body } from '../api.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import type { AvailableAction } from './ActionsPanel.js';
import { DatabasePicker, type PickedDatabase } from './DatabasePicker.js';
import { Field } from './Field.js';
import { SchemaDesignPreview } from './SchemaDesignPreview.js';

export function SchemaDesignPublishFields({ action, onChange }: { action: AvailableAction; onChange: (extra: Record<string, unknown>) => void }) {
  const { t } = useI18n();
  const ids = useId();
  const orderId = Number(action.Params.OrderId);
  const fixed = action.Params.DbId === undefined ? undefined : Number(action.Params.DbId);
  const [picked, setPicked] = useState<PickedDatabase>();
  const [strategy, setStrategy] = useState('IMMEDIATELY');
  const [planTime, setPlanTime] = useState('');
  const { data } = useLoad(
    () =>
      Promise.all([api.rpc('GetTableDesignProjectFlow', { OrderId: orderId }), api.rpc('GetTableDesignProjectInfo', { OrderId: orderId })]).then(([f, i]) => ({ flow: f.ProjectFlow as Body, info: i.ProjectInfo as Body })),
    [orderId],
  );
  const dbId = fixed ?? picked?.id;

  useEffect(() => {
    onChange({ ...(dbId !== undefined && { DbId: dbId }), PublishStrategy: strategy, ...(strategy === 'REGULARLY' && { PlanTime: planTime }) });
    // `onChange` is a new closure on every render of the panel; the values are what matter.
  }, [dbId, strategy, planTime]);

  const next = ((data?.flow.FlowNodeArray ?? []) as Body[]).find((n) => Number(n.Position) === Number(data?.flow.CurrentPosition));
  return (
    <div className="sd-publish-fields">
      {fixed !== undefined ? (
        <p>{t('sdPublishToBase', { name: String(data?.info.BaseDatabase?.SearchName ?? `#${fixed}`) })}</p>
      ) : (
        <>
          {next && <p>{t('sdNextStage', { title: String(next.NodeTitle), env: String(next.EnvType ?? '') })}</p>}
          <DatabasePicker value={picked} onChange={setPicked} errorId={`${ids}-db-error`} />
        </>
      )}
      <Field label={t('sdStrategy')}>
        {(f) => (
          <select id={f.id} value={strategy} onChange={(e) => setStrategy(e.target.value)}>
            <option value="IMMEDIATELY">{t('sdImmediately')}</option>
            <option value="REGULARLY">{t('sdRegularly')}</option>
          </select>
        )}
      </Field>
      {strategy === 'REGULARLY' && <Field label={t('sdPlanTime')}>{(f) => <input id={f.id} value={planTime} placeholder="2026-01-31 22:00:00" onChange={(e) => setPlanTime(e.target.value)} />}</Field>}
      {dbId !== undefined && <SchemaDesignPreview orderId={orderId} dbId={dbId} stamp="" />}
    </div>
  );
}
