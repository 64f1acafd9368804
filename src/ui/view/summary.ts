/**
 * The summary screen's lines: counts per teardown class and anomaly, top talkers, and sparklines
 * of RST-ended connections and firewall events over time. A line with a `clause` filters the list
 * by it when chosen (Enter).
 */
import { RST } from '../../model.js';
import { summarize } from '../../analysis/summary.js';
import type { Dataset } from '../../flows/dataset.js';
import { stripControls } from '../../text.js';
import { ANOMALY_CODES } from './list.js';
import { bucketize, sparkline } from './sparkline.js';
import { timeOfDay } from './text.js';

export interface SummaryLine {
  text: string;
  clause?: string;
  /** a heading (drawn bold) */
  head?: boolean;
}

/** Denying firewall messages (ASA): 106001 inbound deny, 106015 no connection, 106023 ACL deny. */
const DENY_IDS = new Set([106001, 106006, 106007, 106014, 106015, 106023, 106100, 710003]);

export function summaryLines(ds: Dataset, shown: Uint32Array, width: number, spark: readonly string[]): SummaryLine[] {
  const s = summarize(ds, shown);
  const out: SummaryLine[] = [{ text: `${s.connections} connections, ${s.packets} packets (the list as filtered)`, head: true }, { text: '' }];
  out.push({ text: 'teardown class', head: true });
  for (const [k, v] of Object.entries(s.teardown)) if (v) out.push({ text: `  ${k.padEnd(26)} ${String(v).padStart(8)}`, clause: `teardown == ${k}` });
  out.push({ text: '' }, { text: 'anomalies', head: true });
  const an = Object.entries(s.anomalies).filter(([, v]) => v);
  if (!an.length) out.push({ text: '  none' });
  for (const [k, v] of an) out.push({ text: `  ${ANOMALY_CODES[k as keyof typeof ANOMALY_CODES]} ${k.padEnd(23)} ${String(v).padStart(8)}`, clause: `anomaly == ${k}` });
  out.push({ text: '' }, { text: 'top talkers (connections with anomalies, of all)', head: true });
  if (!s.topHosts.length) out.push({ text: '  none' });
  for (const h of s.topHosts) out.push({ text: stripControls(`  ${h.host.padEnd(26)} ${String(h.anomalous).padStart(8)} of ${h.connections}`), clause: `ip.addr == ${h.host}` });

  // sparklines over the same span as the histogram
  const buckets = Math.max(10, Math.min(60, width - 30));
  const c = ds.conns;
  let t0 = Infinity, t1 = -Infinity;
  for (let k = 0; k < shown.length; k++) {
    const i = shown[k]!;
    if (c.firstTs[i]! < t0) t0 = c.firstTs[i]!;
    if (c.lastTs[i]! > t1) t1 = c.lastTs[i]!;
  }
  out.push({ text: '' }, { text: `over time, ${buckets} buckets from ${timeOfDay(t0)} to ${timeOfDay(t1)} UTC`, head: true });
  const rstEnds: number[] = [];
  const denies: number[] = [];
  for (let k = 0; k < shown.length; k++) {
    const i = shown[k]!;
    if ((c.flagsOrig[i]! | c.flagsResp[i]!) & RST) rstEnds.push(c.lastTs[i]!);
    for (const e of ds.firewallOf(i)) {
      if (e.kind === 'deny-no-conn' || e.kind === 'deny' || (e.vendor === 'ASA' && DENY_IDS.has(e.msgid))) denies.push(Number.isFinite(e.ts) ? e.ts - ds.logOffset.seconds : c.lastTs[i]!);
    }
  }
  const span = Number.isFinite(t0) ? Math.max(t1 - t0, 1e-6) : 0;
  const rs = bucketize(rstEnds, t0, span, buckets);
  out.push({ text: `  RST-ended  |${sparkline(rs, spark)}| ${Math.max(0, ...rs)} max`, clause: 'tcp.flags.reset' });
  if (ds.logs.length > 0) {
    const ds2 = bucketize(denies, t0, span, buckets);
    out.push({ text: `  fw denies  |${sparkline(ds2, spark)}| ${Math.max(0, ...ds2)} max`, clause: 'fw.kind in {deny deny-no-conn}' });
  }
  return out;
}
