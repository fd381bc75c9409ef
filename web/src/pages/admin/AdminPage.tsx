/**
 * Administration (`#/admin/<section>`): users, approvals, access keys, webhooks, review rules, the
 * R&D flow. Only for ADMIN: the caller's roles come from the server (GetUser, read once by App
 * and passed down in RolesContext); anyone else gets a refusal with the server's own answer to an
 * ADMIN-only Action, and every change is checked by the server again.
 */
import { useEffect, useState, type ReactElement } from 'react';
import { api } from '../../api.js';
import { AdminRefusal, isAdmin, useRoles } from '../../components/admin/access.js';
import { useI18n } from '../../i18n.js';
import type { MessageKey } from '../../messages.js';
import type { Route } from '../../router.js';
import { AccessKeysPage } from './AccessKeysPage.js';
import { ApprovalsPage } from './ApprovalsPage.js';
import { FlowPage } from './FlowPage.js';
import { ReviewRulesPage } from './ReviewRulesPage.js';
import { UsersPage } from './UsersPage.js';
import { WebhooksPage } from './WebhooksPage.js';

const SECTIONS: { path: string; label: MessageKey; Page: (p: { route: Route }) => ReactElement }[] = [
  { path: 'users', label: 'admUsers', Page: UsersPage },
  { path: 'approvals', label: 'admApprovals', Page: ApprovalsPage },
  { path: 'access-keys', label: 'admAccessKeys', Page: AccessKeysPage },
  { path: 'webhooks', label: 'admWebhooks', Page: WebhooksPage },
  { path: 'review-rules', label: 'admReviewRules', Page: ReviewRulesPage },
  { path: 'rd-flow', label: 'admFlow', Page: FlowPage },
];

/** The server's refusal for a non-admin (an ADMIN-only list). */
function useServerRefusal(ask: boolean): unknown {
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (ask) api.rpc('ListApprovalRoutingRules').catch(setError);
  }, [ask]);
  return error;
}

export function AdminPage({ route }: { route: Route }) {
  const { t } = useI18n();
  const roles = useRoles();
  const refusal = useServerRefusal(roles !== undefined && !isAdmin(roles));
  const name = route.path.replace(/^\/admin\/?/, '').split('/')[0] || 'users';
  const section = SECTIONS.find((s) => s.path === name);

  return (
    <main className="admin">
      <h1>{t('admNav')}</h1>
      {roles === undefined ? (
        <p role="status">{t('loading')}</p>
      ) : !isAdmin(roles) ? (
        <AdminRefusal roles={roles} error={refusal} />
      ) : (
        <div className="admin-layout">
          <nav aria-label={t('admNav')} className="admin-nav">
            {SECTIONS.map((s) => (
              <a key={s.path} href={`#/admin/${s.path}`} aria-current={s === section ? 'page' : undefined}>{t(s.label)}</a>
            ))}
          </nav>
          <div className="admin-body">{section ? <section.Page route={route} /> : <p role="alert">{t('notFound')}</p>}</div>
        </div>
      )}
    </main>
  );
}
