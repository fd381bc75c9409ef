/**
 * The console shell: restores the session (GET /console/api/session), shows the login page when
 * there is none and comes back to where the user was (`#/login?next=…`); the top bar, the language
 * switch and the routes.
 */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, setUnauthorizedHandler, type SessionInfo } from './api.js';
import { ErrorBox } from './components/ErrorBox.js';
import { PageErrorBoundary } from './components/PageErrorBoundary.js';
import { isAdmin, RolesContext, useMyRoles } from './components/admin/access.js';
import { useI18n, type Lang } from './i18n.js';
import { DatabasesDatabasePage } from './pages/DatabasesDatabasePage.js';
import { DatabasesInstancePage } from './pages/DatabasesInstancePage.js';
import { DatabasesPage } from './pages/DatabasesPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { PasswordPage } from './pages/PasswordPage.js';
import { TicketDetailPage } from './pages/TicketDetailPage.js';
import { TicketListPage } from './pages/TicketListPage.js';
import { currentLocation, navigate, useRoute, type Route } from './router.js';
import { SessionContext } from './session.js';

// The SQL editor (CodeMirror) is loaded with the page that needs it.
const NewExportPage = lazy(() => import('./pages/NewExportPage.js').then((m) => ({ default: m.NewExportPage })));
const NewDataChangePage = lazy(() => import('./pages/NewDataChangePage.js').then((m) => ({ default: m.NewDataChangePage })));
const NewSchemaDesignPage = lazy(() => import('./pages/NewSchemaDesignPage.js').then((m) => ({ default: m.NewSchemaDesignPage })));
const AdminPage = lazy(() => import('./pages/admin/AdminPage.js').then((m) => ({ default: m.AdminPage })));

function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label className="lang">
      <span className="sr-only">{t('language')}</span>
      <select aria-label={t('language')} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="en">English</option>
        <option value="zh-CN">简体中文</option>
      </select>
    </label>
  );
}

function Page({ route }: { route: Route }) {
  const { t } = useI18n();
  const detail = /^\/tickets\/(\d+)$/.exec(route.path);
  if (detail) return <TicketDetailPage key={detail[1]} orderId={Number(detail[1])} />;
  if (route.path === '/tickets' || route.path === '/') return <TicketListPage route={route} />;
  if (route.path === '/new/export') {
    return (
      <Suspense fallback={<main><p role="status">{t('loading')}</p></main>}>
        <NewExportPage />
      </Suspense>
    );
  }
  if (route.path === '/new/data-change') {
    return (
      <Suspense fallback={<main><p role="status">{t('loading')}</p></main>}>
        <NewDataChangePage />
      </Suspense>
    );
  }
  if (route.path === '/new/schema-design') {
    const order = Number(route.query.get('order')) || undefined;
    return (
      <Suspense fallback={<main><p role="status">{t('loading')}</p></main>}>
        <NewSchemaDesignPage key={order ?? 'new'} orderId={order} />
      </Suspense>
    );
  }
  if (route.path === '/password') return <PasswordPage />;
  // The database browser (docs/console.md): instances → databases → tables → columns.
  if (route.path === '/databases') return <DatabasesPage route={route} />;
  const dbPath = /^\/databases\/(instances|db)\/(\d+)$/.exec(route.path);
  if (dbPath?.[1] === 'instances') return <DatabasesInstancePage key={dbPath[2]} instanceId={dbPath[2]!} route={route} />;
  if (dbPath?.[1] === 'db') return <DatabasesDatabasePage key={dbPath[2]} dbId={dbPath[2]!} route={route} />;
  // Administration (ADMIN; docs/console.md): users, approvals, access keys, webhooks, review rules, R&D flow.
  if (route.path === '/admin' || route.path.startsWith('/admin/')) {
    return (
      <Suspense fallback={<main><p role="status">{t('loading')}</p></main>}>
        <AdminPage route={route} />
      </Suspense>
    );
  }
  return (
    <main>
      <p role="alert">{t('notFound')}</p>
      <a href="#/tickets">{t('navTickets')}</a>
    </main>
  );
}

export function App() {
  const { t } = useI18n();
  const route = useRoute();
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const roles = useMyRoles(session?.User.UserId);

  const toLogin = useCallback((wasExpired: boolean) => {
    setSession(null);
    setExpired(wasExpired);
    const here = currentLocation();
    if (!here.startsWith('/login')) navigate(`/login?next=${encodeURIComponent(here)}`);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => toLogin(true));
    api.session().then(setSession, (e) => {
      if (e?.status === 401) toLogin(false);
      else setFailure(e);
    });
  }, [toLogin]);

  const loggedIn = (s: SessionInfo) => {
    setSession(s);
    setExpired(false);
    const next = route.query.get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('/login') ? next : '/tickets');
  };
  const logout = async () => {
    await api.logout().catch(() => undefined);
    setSession(null);
    setExpired(false);
    navigate('/login');
  };

  return (
    <>
      <header className="topbar">
        <a href="#/tickets" className="brand">{t('appName')}</a>
        {session && (
          <nav aria-label="main">
            <a href="#/tickets">{t('navTickets')}</a>
            <a href="#/new/export">{t('navNewExport')}</a>
            <a href="#/new/data-change">{t('dcNav')}</a>
            <a href="#/new/schema-design">{t('navNewSchemaDesign')}</a>
            <a href="#/databases">{t('navDatabases')}</a>
            <a href="#/password">{t('navPassword')}</a>
            {isAdmin(roles) && <a href="#/admin/users">{t('admNav')}</a>}
          </nav>
        )}
        <div className="spacer" />
        <LanguageSwitch />
        {session && (
          <>
            <span className="who">{t('signedInAs', { name: session.User.NickName || session.User.Uid })}</span>
            <button type="button" onClick={() => void logout()}>{t('logout')}</button>
          </>
        )}
      </header>
      {failure ? (
        <main><ErrorBox error={failure} onRetry={() => window.location.reload()} /></main>
      ) : session === undefined ? (
        <main><p role="status">{t('loading')}</p></main>
      ) : session === null || route.path === '/login' ? (
        session ? <LoginRedirect /> : <LoginPage expired={expired} onLoggedIn={loggedIn} />
      ) : (
        <SessionContext.Provider value={session}>
          <RolesContext.Provider value={roles}>
            <PageErrorBoundary path={route.path}>
              <Page route={route} />
            </PageErrorBoundary>
          </RolesContext.Provider>
        </SessionContext.Provider>
      )}
    </>
  );
}

/** Logged in but on #/login (a back button): go to the list. */
function LoginRedirect() {
  useEffect(() => navigate('/tickets'), []);
  return null;
}
