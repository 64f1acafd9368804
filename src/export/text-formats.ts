/** CSV and NDJSON renderings of records (one line each; RFC 4180 quoting for CSV). */

export function csvCell(v: unknown): string {
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
