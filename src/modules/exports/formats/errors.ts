/**
 * A value that a format cannot write exactly (a character the encoding lacks, an XLSX cell over
 * 32,767 characters, NaN for MySQL, …). The export fails with it rather than writing a wrong file;
 * the message names where, so the user can fix the query (cast, substring, other encoding).
 */
export class ExportValueError extends Error {
  /** 1-based data row; 0 for the header (column names, SQL preamble). */
  readonly row: number;
  /** The column's name as the engine reports it; '' when the problem is not in a column. */
  readonly column: string;
  readonly reason: string;

  constructor(row: number, column: string, reason: string) {
    const where = row === 0 ? 'Header' : `Row ${row}`;
    super(column === '' ? `${where}: ${reason}` : `${where}, column "${column}": ${reason}`);
    this.name = 'ExportValueError';
    this.row = row;
    this.column = column;
    this.reason = reason;
  }
}
