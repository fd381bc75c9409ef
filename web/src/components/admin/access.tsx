/**
 * Who may see the administration pages: the caller's roles as the server reports them (GetUser
 * without a user: the caller). The link and the pages only follow that answer; every admin Action
 * is still checked by the server, whose refusal `AdminRefusal` shows.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { api, ApiError, type Body } from '../../api.js';
import { useI18n } from '../../i18n.js';

/** The caller's roles in the current tenant; undefined while loading, [] when they cannot be read. */
export function useMyRoles(userId: number | undefined): string[] | undefined {
  const [roles, setRoles] = useState<string[]>();
  useEffect(() => {
    if (userId === undefined) return setRoles(undefined);
    let live = true;
    api.rpc('GetUser').then(
      (r) => live && setRoles(((r.User as Body | undefined)?.RoleNameList?.RoleNames ?? []) as string[]),
      () => live && setRoles([]),
    );
    return () => {
      live = false;
    };
  }, [userId]);
  return roles;
}

/** The roles App read once for the top bar, for the pages below it (no second GetUser). */
export const RolesContext = createContext<string[] | undefined>(undefined);
export const useRoles = (): string[] | undefined => useContext(RolesContext);

export const isAdmin = (roles: readonly string[] | undefined): boolean => Boolean(roles?.includes('ADMIN'));

/** The page a non-administrator gets: what they lack, and the server's own words when it refused a call. */
export function AdminRefusal({ roles, error }: { roles?: readonly string[] | undefined; error?: unknown }) {
  const { t } = useI18n();
  return (
    <section className="card refusal" aria-labelledby="adm-refusal">
      <h2 id="adm-refusal">{t('admRefusedTitle')}</h2>
      <p role="alert">{t('admRefusedText', { roles: roles && roles.length > 0 ? roles.join(', ') : '—' })}</p>
      {error instanceof ApiError && (
        <>
          <p>{t('admServerSaid')}</p>
          <blockquote>{error.message}</blockquote>
          <small>{t('errorCode', { code: error.code })}</small>
        </>
      )}
      <p><a href="#/tickets">{t('navTickets')}</a></p>
    </section>
  );
}

/** A call refused for the role: shown as the refusal, not as a generic failure. */
export const isRefusal = (e: unknown): boolean => e instanceof ApiError && (e.code === 'NoPermission' || e.code === 'Forbidden.NoPermission' || e.status === 403);
