/** Approvals: nodes (user lists), templates (chains of nodes) and the routing rules that choose them. */
import { api, type Body } from '../../api.js';
import { AdminRefusal, isRefusal } from '../../components/admin/access.js';
import { NodesSection, type WfNode } from '../../components/admin/NodesSection.js';
import { RulesSection, type RoutingRule } from '../../components/admin/RulesSection.js';
import { TemplatesSection, type WfTemplate } from '../../components/admin/TemplatesSection.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';

export function ApprovalsPage() {
  const { t } = useI18n();
  const all = useLoad(async () => {
    const [n, tp, r] = await Promise.all([api.rpc('ListWorkFlowNodes'), api.rpc('ListWorkFlowTemplates'), api.rpc('ListApprovalRoutingRules')]);
    return {
      nodes: (n.WorkflowNodes?.WorkflowNode ?? []) as WfNode[],
      templates: (tp.WorkFlowTemplates?.WorkFlowTemplate ?? []) as WfTemplate[],
      rules: ((r.Rules?.Rule ?? []) as Body[]) as RoutingRule[],
    };
  }, []);
  const reload = () => void all.reload();
  if (isRefusal(all.error)) return <AdminRefusal error={all.error} />;
  return (
    <>
      <h2 className="sr-only">{t('admApprovals')}</h2>
      <ErrorBox error={all.error} onRetry={reload} />
      {!all.data ? (
        <p role="status">{t('loading')}</p>
      ) : (
        <>
          <RulesSection rules={all.data.rules} templates={all.data.templates} onChanged={reload} />
          <TemplatesSection templates={all.data.templates} nodes={all.data.nodes} onChanged={reload} />
          <NodesSection nodes={all.data.nodes} onChanged={reload} />
        </>
      )}
    </>
  );
}
