/** CSV and NDJSON renderings of records (one line each; RFC 4180 quoting for CSV). */

export function csvCell(v: unknown): string {
  // (a number or boolean has nothing to quote: most of a row's cells, 8 M of them for a 10 M-line log;
  // a number that is none, a time an event without a stamp lacks, is empty, as NDJSON's null)
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return String(v);
  const s = Array.isArray(v)
    ? v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(';')
    : v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(fields: readonly string[]): string {
  return fields.join(',');
}

export function csvRow(rec: Record<string, unknown>, fields: readonly string[]): string {
  return fields.map((f) => csvCell(rec[f])).join(',');
}

export function ndjsonRow(rec: object): string {
  return JSON.stringify(rec);
}
