/**
 * Zeek conn.log (ASCII TSV with the #separator/#fields/#types header) that `zeek-cut` reads.
 * Fields rsttui does not know (service, local_orig/resp, *_ip_bytes, tunnel_parents) are unset ('-').
 */
import type { FlowRecord } from './records.js';

const FIELDS = [
  ['ts', 'time'], ['uid', 'string'], ['id.orig_h', 'addr'], ['id.orig_p', 'port'], ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'], ['proto', 'enum'], ['service', 'string'], ['duration', 'interval'],
  ['orig_bytes', 'count'], ['resp_bytes', 'count'], ['conn_state', 'string'], ['local_orig', 'bool'],
  ['local_resp', 'bool'], ['missed_bytes', 'count'], ['history', 'string'], ['orig_pkts', 'count'],
  ['orig_ip_bytes', 'count'], ['resp_pkts', 'count'], ['resp_ip_bytes', 'count'], ['tunnel_parents', 'set[string]'],
] as const;

function zeekTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}

export function zeekHeader(now = new Date()): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#open\t${zeekTime(now)}`,
    `#fields\t${FIELDS.map((f) => f[0]).join('\t')}`,
    `#types\t${FIELDS.map((f) => f[1]).join('\t')}`,
  ].join('\n');
}

export function zeekFooter(now = new Date()): string {
  return `#close\t${zeekTime(now)}`;
}

/** A uid that is stable for a given id (Zeek's are random; ours are reproducible). */
export const zeekUid = (id: number): string => `CR${id.toString(36).padStart(6, '0')}`;

export function zeekRow(r: FlowRecord): string {
  const empty = (s: string | null): string => (s === null ? '-' : s === '' ? '(empty)' : s);
  return [
    r.ts.toFixed(6), zeekUid(r.id), r.orig_h, r.orig_p, r.resp_h, r.resp_p, 'tcp', '-', r.duration.toFixed(6),
    r.orig_bytes, r.resp_bytes, r.conn_state ?? '-', '-', '-', 0, empty(r.history), r.orig_pkts, '-', r.resp_pkts, '-', '-',
  ].join('\t');
}
