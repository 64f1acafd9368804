/** Plain-text tables for the headless `--format table` output. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: ReadonlySet<number> = new Set()): string {
  const w = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, k) => (rightAlign.has(k) ? c.padStart(w[k]!) : c.padEnd(w[k]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Seconds since the epoch as UTC `YYYY-MM-DD HH:MM:SS.ffffff` (`-` for no time, or one past a Date's ±8.64e12 s). */
export function isoUs(ts: number): string {
  if (!Number.isFinite(ts) || Math.abs(ts) >= 8.64e12) return '-';
  const ms = Math.floor(ts * 1000);
  const d = new Date(ms);
  const us = Math.round((ts - Math.floor(ts)) * 1e6) % 1e6;
  return d.toISOString().slice(0, 19).replace('T', ' ') + '.' + String(us).padStart(6, '0');
}
