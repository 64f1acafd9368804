/** `rsttui summary FILE...`: counts per teardown class and anomaly, top hosts, RST histogram. */
import { ANOMALIES, RST, TEARDOWNS } from '../model.js';
import { FW_KINDS } from '../read/asa.js';
import type { Dataset } from '../flows/dataset.js';
import { isoUs } from './table.js';
import { loadForCommand } from './load.js';
import { LineWriter } from './out.js';
import type { Parsed } from './main.js';
import { filterSyntaxError, selectConns } from './select.js';

export interface Summary {
  connections: number;
  packets: number;
  teardown: Record<string, number>;
  anomalies: Record<string, number>;
  topHosts: { host: string; anomalous: number; connections: number }[];
  rstHistogram: { start: number; bucketSeconds: number; counts: number[] };
  /** firewall messages read, per message id, and 106015 "no connection" denies over the same buckets */
  firewall: { messages: Record<string, number>; denies: number[]; logOffsetSeconds: number };
}

/** Pure: the summary of the selected connections (indices). */
export function summarize(ds: Dataset, sel: Iterable<number>, buckets = 24): Summary {
  const c = ds.conns;
  const teardown: Record<string, number> = Object.fromEntries(TEARDOWNS.map((t) => [t, 0]));
  const anomalies: Record<string, number> = Object.fromEntries(ANOMALIES.map((a) => [a, 0]));
  const hosts = new Map<number, { anomalous: number; connections: number }>();
  const rstEnds: number[] = [];
  let n = 0, packets = 0, t0 = Infinity, t1 = -Infinity;
  for (const i of sel) {
    n++;
    packets += c.origPkts[i]! + c.respPkts[i]!;
    teardown[TEARDOWNS[c.teardown[i]!]!]!++;
    const m = c.anomalies[i]!;
    for (let b = 0; b < ANOMALIES.length; b++) if (m & (1 << b)) anomalies[ANOMALIES[b]!]!++;
    for (const a of [c.origAddr[i]!, c.respAddr[i]!]) {
      const h = hosts.get(a) ?? { anomalous: 0, connections: 0 };
      h.connections++;
      if (m) h.anomalous++;
      hosts.set(a, h);
    }
    t0 = Math.min(t0, c.firstTs[i]!);
    t1 = Math.max(t1, c.lastTs[i]!);
    if ((c.flagsOrig[i]! | c.flagsResp[i]!) & RST) rstEnds.push(c.lastTs[i]!);
  }
  const topHosts = [...hosts.entries()]
    .filter(([, h]) => h.anomalous > 0)
    .sort((x, y) => y[1].anomalous - x[1].anomalous || y[1].connections - x[1].connections || x[0] - y[0])
    .slice(0, 10)
    .map(([a, h]) => ({ host: ds.addrs.text(a), ...h }));
  const span = Number.isFinite(t0) ? Math.max(t1 - t0, 1e-6) : 0;
  const bucketSeconds = span / buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (const t of rstEnds) counts[Math.min(buckets - 1, Math.floor((t - t0) / (bucketSeconds || 1)))]!++;
  const messages: Record<string, number> = {};
  for (const l of ds.logs) for (const [id, k] of l.counts) messages[id] = (messages[id] ?? 0) + k;
  const denies = new Array<number>(buckets).fill(0);
  const off = ds.logOffset.seconds;
  const noConn = FW_KINDS.indexOf('deny-no-conn');
  for (const ch of ds.fw.chunks) {
    for (let r = 0; r < ch.n && Number.isFinite(t0); r++) {
      const ts = ch.ts[r]!;
      if (ch.kind[r] !== noConn || !Number.isFinite(ts)) continue;
      const k = Math.floor((ts - off - t0) / (bucketSeconds || 1));
      if (k >= 0 && k < buckets) denies[k]!++;
    }
  }
  return {
    connections: n, packets, teardown, anomalies, topHosts,
    rstHistogram: { start: Number.isFinite(t0) ? t0 : 0, bucketSeconds, counts },
    firewall: { messages, denies, logOffsetSeconds: off },
  };
}

export function summaryLines(s: Summary): string[] {
  const out: string[] = [`${s.connections} connections, ${s.packets} packets`, '', 'teardown'];
  const w = Math.max(...Object.keys(s.teardown).map((k) => k.length), ...Object.keys(s.anomalies).map((k) => k.length));
  for (const [k, v] of Object.entries(s.teardown)) if (v) out.push(`  ${k.padEnd(w)}  ${String(v).padStart(7)}`);
  out.push('', 'anomalies');
  const an = Object.entries(s.anomalies).filter(([, v]) => v);
  if (!an.length) out.push('  none');
  for (const [k, v] of an) out.push(`  ${k.padEnd(w)}  ${String(v).padStart(7)}`);
  out.push('', 'top hosts by connections with anomalies');
  if (!s.topHosts.length) out.push('  none');
  for (const h of s.topHosts) out.push(`  ${h.host.padEnd(39)}  ${String(h.anomalous).padStart(7)} of ${h.connections}`);
  const fwIds = Object.entries(s.firewall.messages);
  if (fwIds.length) {
    out.push('', `firewall messages (log clock - capture clock ${s.firewall.logOffsetSeconds.toFixed(3)} s)`);
    for (const [id, k] of fwIds.sort((a, b) => b[1] - a[1])) out.push(`  ${id.padEnd(w)}  ${String(k).padStart(7)}`);
  }
  const h = s.rstHistogram;
  const withDenies = fwIds.length > 0;
  const max = Math.max(1, ...h.counts, ...(withDenies ? s.firewall.denies : []));
  out.push('', `connections ending in RST over time (bucket ${h.bucketSeconds.toFixed(3)} s)${withDenies ? ', and firewall "no connection" denies (106015)' : ''}`);
  out.push(`  ${'bucket start (UTC)'.padEnd(23)}  ${'RST'.padStart(6)}${withDenies ? `  ${'denies'.padStart(6)}` : ''}`);
  h.counts.forEach((n, k) => {
    const d = s.firewall.denies[k] ?? 0;
    const bar = withDenies ? `${'#'.repeat(Math.round((30 * n) / max)).padEnd(30)} ${'x'.repeat(Math.round((30 * d) / max))}` : '#'.repeat(Math.round((40 * n) / max));
    out.push(`  ${isoUs(h.start + k * h.bucketSeconds).slice(0, 23)}  ${String(n).padStart(6)}${withDenies ? `  ${String(d).padStart(6)}` : ''}  ${bar}`);
  });
  return out;
}

export async function runSummary(p: Parsed): Promise<number> {
  const bad = filterSyntaxError(p);
  if (bad !== undefined) return bad;
  const { ds, status } = await loadForCommand(p);
  const sel = selectConns(ds, p);
  if (typeof sel === 'number') return sel;
  const s = summarize(ds, sel);
  const out = new LineWriter();
  if (p.values.json) out.line(JSON.stringify(s, null, 2));
  else for (const l of summaryLines(s)) out.line(l);
  await out.end();
  return status;
}
