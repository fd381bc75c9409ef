/** A table's column headers from a list: a label, or a label with a class (`wide-only`); `false` leaves a column out. */
export type Column = string | { label: string; className: string } | false;

/** A column shown only on wide screens. */
export const wide = (label: string): Column => ({ label, className: 'wide-only' });

export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (c === false ? null : typeof c === 'string' ? <th key={i} scope="col">{c}</th> : <th key={i} scope="col" className={c.className}>{c.label}</th>))}
      </tr>
    </thead>
  );
}
