/** The SQL editor: CodeMirror 6 with the SQL dialect of the chosen database's engine. Tab leaves the editor (keyboard users). */
import { MariaSQL, MySQL, PostgreSQL, SQLite, StandardSQL, sql, type SQLDialect } from '@codemirror/lang-sql';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useId, useRef } from 'react';

const DIALECTS: Record<string, SQLDialect> = { mysql: MySQL, mariadb: MariaSQL, postgresql: PostgreSQL, sqlite: SQLite };

export function SqlEditor({ value, onChange, engine, labelledBy, describedBy, invalid }: { value: string; onChange: (v: string) => void; engine: string | undefined; labelledBy: string; describedBy: string | undefined; invalid: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const dialect = DIALECTS[(engine ?? '').toLowerCase()] ?? StandardSQL;
    const v = new EditorView({
      parent: host.current!,
      doc: view.current?.state.doc.toString() ?? value,
      extensions: [
        basicSetup,
        sql({ dialect, upperCaseKeywords: true }),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-labelledby': labelledBy, ...(describedBy ? { 'aria-describedby': describedBy } : {}), 'aria-invalid': String(invalid), 'aria-multiline': 'true', 'data-dialect': engine ?? 'standard' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) changed.current(u.state.doc.toString());
        }),
      ],
    });
    view.current = v;
    return () => v.destroy();
    // The editor is rebuilt for another dialect or other ARIA links; its text is kept (not `value`: it follows the editor).
  }, [engine, labelledBy, describedBy, invalid]);

  return <div ref={host} className="sql-editor" data-engine={engine ?? ''} />;
}

/** A labelled SQL editor (label names the engine) with an optional hint and the server's error under it. */
export function SqlField({ label, value, onChange, engine, error, hint }: { label: string; value: string; onChange: (v: string) => void; engine: string | undefined; error: string | undefined; hint?: string }) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <span id={`${id}-label`} className="label">{label}{engine ? ` · ${engine}` : ''}</span>
      <SqlEditor value={value} onChange={onChange} engine={engine} labelledBy={`${id}-label`} describedBy={describedBy} invalid={Boolean(error)} />
      {hint && <small id={`${id}-hint`} className="hint">{hint}</small>}
      {error && <div id={`${id}-error`} className="field-error" role="alert">{error}</div>}
    </div>
  );
}
