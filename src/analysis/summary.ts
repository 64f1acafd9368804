/**
 * The summary of a selection of connections: counts per teardown class and anomaly, the top hosts
 * by anomalous connections, connections ending in RST and the firewall's "no connection" denies
 * over time, the firewall's messages per id, and the findings. Computed here, in the analysis
 * core; `rsttui summary` and the UI's summary screen only present it.
 */
import { ANOMALIES, RST, TEARDOWNS } from '../model.js';
import { K_NOCONN } from '../read/asa.js';
import { chunkIndex } from '../read/fw-chunk-index.js';
import type { Dataset } from '../flows/dataset.js';
import type { Finding } from './finding-types.js';
import { computeFindings, type FindingOptions } from './findings.js';

export interface Summary {
  connections: number;
  packets: number;
  teardown: Record<string, number>;
  anomalies: Record<string, number>;
  topHosts: { host: string; anomalous: number; connections: number }[];
  rstHistogram: { start: number; bucketSeconds: number; counts: number[] };
  /** firewall messages read, per message id, and the "no connection" denies (fw.kind deny-no-conn, every vendor) over the same buckets */
  firewall: { messages: Record<string, number>; denies: number[]; logOffsetSeconds: number };
  /** the connections grouped by pattern, most severe first (findings.ts) */
  findings: Finding[];
}

/** Pure: the summary of the selected connections (indices). `opts` reach computeFindings. */
export function summarize(ds: Dataset, sel: Iterable<number>, buckets = 24, opts: FindingOptions = {}): Summary {
  const c = ds.conns;
  const teardown: Record<string, number> = Object.fromEntries(TEARDOWNS.map((t) => [t, 0]));
  const anomalies: Record<string, number> = Object.fromEntries(ANOMALIES.map((a) => [a, 0]));
  // per address id (a typed counter each: no object per host, at 100 k hosts and millions of connections)
  const conns = new Uint32Array(ds.addrs.count);
  const anomalous = new Uint32Array(ds.addrs.count);
  const rstEnds: number[] = [];
  let n = 0, packets = 0, t0 = Infinity, t1 = -Infinity;
  for (const i of sel) {
    n++;
    packets += c.origPkts[i]! + c.respPkts[i]!;
    teardown[TEARDOWNS[c.teardown[i]!]!]!++;
    const m = c.anomalies[i]!;
    for (let b = 0; b < ANOMALIES.length; b++) if (m & (1 << b)) anomalies[ANOMALIES[b]!]!++;
    const o = c.origAddr[i]!, r = c.respAddr[i]!;
    conns[o]!++;
    conns[r]!++;
    if (m) {
      anomalous[o]!++;
      anomalous[r]!++;
    }
    t0 = Math.min(t0, c.firstTs[i]!);
    t1 = Math.max(t1, c.lastTs[i]!);
    if ((c.flagsOrig[i]! | c.flagsResp[i]!) & RST) rstEnds.push(c.lastTs[i]!);
  }
  // the 10 hosts with most anomalous connections (then most connections, then the smaller address)
  // (then the smaller address: ids follow the order the inputs were read in, AddrTable.compare)
  const better = (a: number, b: number): boolean => anomalous[a]! > anomalous[b]! || (anomalous[a] === anomalous[b] && (conns[a]! > conns[b]! || (conns[a] === conns[b] && ds.addrs.compare(a, b) < 0)));
  const top: number[] = [];
  for (let a = 0; a < anomalous.length; a++) {
    if (anomalous[a] === 0 || (top.length === 10 && !better(a, top[9]!))) continue;
    let at = Math.min(top.length, 10);
    while (at > 0 && better(a, top[at - 1]!)) at--;
    top.splice(at, 0, a);
    if (top.length > 10) top.pop();
  }
  const topHosts = top.map((a) => ({ host: ds.addrs.text(a), anomalous: anomalous[a]!, connections: conns[a]! }));
  const span = Number.isFinite(t0) ? Math.max(t1 - t0, 1e-6) : 0;
  const bucketSeconds = span / buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (const t of rstEnds) counts[Math.min(buckets - 1, Math.floor((t - t0) / (bucketSeconds || 1)))]!++;
  const messages: Record<string, number> = {};
  for (const l of ds.logs) for (const [id, k] of l.counts) messages[id] = (messages[id] ?? 0) + k;
  const denies = new Array<number>(buckets).fill(0);
  const off = ds.logOffset.seconds;
  // (the no-connection denies are among the rows that look a tuple up: the chunks' indexes list them)
  if (Number.isFinite(t0)) {
    for (const ch of ds.fw.chunks) {
      for (const r of chunkIndex(ch).denyRows) {
        const ts = ch.ts[r]!;
        if (ch.kind[r] !== K_NOCONN || !Number.isFinite(ts)) continue;
        const k = Math.floor((ts - off - t0) / (bucketSeconds || 1));
        if (k >= 0 && k < buckets) denies[k]!++;
      }
    }
  }
  return {
    connections: n, packets, teardown, anomalies, topHosts,
    rstHistogram: { start: Number.isFinite(t0) ? t0 : 0, bucketSeconds, counts },
    firewall: { messages, denies, logOffsetSeconds: off },
    findings: computeFindings(ds, sel, opts),
  };
}
