/**
 * The precheck of a data change per statement and database (ListDataCorrectPreCheckSQL): kind,
 * tables, counted or estimated rows, the review status and each finding with its rule and level
 * (the review rules of src/modules/review, at the tenant's levels).
 */
import type { Body } from '../api.js';
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../messages.js';

const LEVELS = ['ERROR', 'WARNING', 'NOTICE'];
const REVIEW = ['PASS', 'BLOCK', 'WAITING'];

export function DataChangeReview({ statements, dbNames }: { statements: Body[]; dbNames: Map<number, string> }) {
  const { t } = useI18n();
  const several = new Set(statements.map((s) => Number(s.DbId))).size > 1;
  return (
    <>
      <h3 id="dc-review-title">{t('dcStatements')}</h3>
      {statements.length === 0 ? (
        <p className="empty">{t('dcNoStatements')}</p>
      ) : (
        <div className="table-wrap">
          <table className="dc-review" aria-labelledby="dc-review-title">
            <thead>
              <tr>
                <th scope="col">{t('dcStatementNo')}</th>
                {several && <th scope="col">{t('database')}</th>}
                <th scope="col">{t('sql')}</th>
                <th scope="col">{t('dcRows')}</th>
                <th scope="col">{t('dcReview')}</th>
                <th scope="col">{t('dcFindings')}</th>
              </tr>
            </thead>
            <tbody>
              {statements.map((s) => {
                const findings: Body[] = s.Findings ?? [];
                const status = String(s.SqlReviewStatus ?? '');
                return (
                  <tr key={`${s.DbId}-${s.Position}`} data-statement={s.Position} data-db-id={s.DbId}>
                    <td>{s.Position}</td>
                    {several && <td>{dbNames.get(Number(s.DbId)) ?? s.DbId}</td>}
                    <td>
                      <code className="dc-sql">{s.CheckSQL}</code>
                      <div className="hint">
                        {s.SqlType}
                        {s.TableNames ? ` · ${t('dcTables')}: ${s.TableNames}` : ''}
                      </div>
                      {s.Message && <div className="field-error">{s.Message}</div>}
                    </td>
                    <td data-testid="dc-rows">{s.AffectRows === undefined || s.AffectRows === null ? '–' : t(s.Exact ? 'dcRowsExact' : 'dcRowsEstimated', { n: Number(s.AffectRows) })}</td>
                    <td>
                      <span className={`badge review-${status}`}>{REVIEW.includes(status) ? t(`dcReview_${status}` as MessageKey) : status}</span>
                    </td>
                    <td>
                      {findings.length === 0 ? (
                        <span className="empty">{t('dcNoFindings')}</span>
                      ) : (
                        <ul className="findings">
                          {findings.map((f, i) => (
                            <li key={i} data-rule={f.RuleId} data-level={f.Level}>
                              <span className={`level level-${f.Level}`}>{LEVELS.includes(String(f.Level)) ? t(`dcLevel_${f.Level}` as MessageKey) : f.Level}</span> <code>{f.RuleId}</code>: {f.Message}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
