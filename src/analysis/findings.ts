/**
 * Findings: the selected connections grouped by pattern (finding-pattern.ts), each group with its
 * words (finding-words.ts), counts, time span, top hosts and ports, examples and evidence.
 *
 * Linear in the selection: one pass packs each connection's pattern into an integer and adds it to
 * its finding's accumulator (a Map from pattern to finding: patterns are few); the top hosts and
 * ports are then counted exactly, finding by finding, over the selection sorted by finding
 * (a counting sort) into one dense counter per column that is cleared after each finding. Memory:
 * three 4-byte arrays of the selection's length and one counter per address, whatever the number
 * of findings (3 M connections, 100 k hosts: ~36 MB + 0.4 MB, for the time of the call).
 */
import { LOST_YES } from './impact.js';
import { ANOMALIES, AllRows, CLOSED_BY, RST, TEARDOWNS, anomalyBit } from '../model.js';
import type { Dataset } from '../flows/dataset.js';
import { LOG_ONLY } from '../correlate/firewall.js';
import { K_DENY, K_NOCONN } from '../read/asa.js';
import { SEVERITIES, type Finding, type Ranked } from './finding-types.js';
import { FW_OUTCOMES, RST_SIDES, keyAnomalies, packIndices, unpackPattern } from './finding-pattern.js';
import { evidenceLines, findingWords, type Tallies } from './finding-words.js';

export interface FindingOptions {
  /** whether connection i lost data at a RST (impact); default: the dataset's own column if it has one, else unknown */
  lost?: (i: number) => boolean;
}

const T_ABORT = TEARDOWNS.indexOf('abort');
const T_FIN_RST = TEARDOWNS.indexOf('fin-then-rst');
const T_TIMEOUT = TEARDOWNS.indexOf('timeout');
const T_FW_RESET = TEARDOWNS.indexOf('firewall-reset');
const T_DENIED = TEARDOWNS.indexOf('denied');
const AFTER_TIMEOUT = anomalyBit('after-timeout');
const RST_DENIED = anomalyBit('rst-denied');
const FW_NONE = 0, FW_LATE = FW_OUTCOMES.indexOf('late-deny'), FW_TIMEOUT = FW_OUTCOMES.indexOf('timeout');
const FW_POLICY = FW_OUTCOMES.indexOf('policy'), FW_RESET = FW_OUTCOMES.indexOf('reset');
const NO_EVENTS = new Uint32Array(0);

/** The impact the dataset knows: its `dataLost` column (impact.ts; LOST_YES = data lost at a RST). */
export function datasetLost(ds: Dataset): ((i: number) => boolean) | undefined {
  const col = ds.conns.dataLost;
  return col.length >= ds.conns.count ? (i) => col[i] === LOST_YES : undefined;
}

/** RST_SIDES index of the side whose RST came first, for the classes where it tells who closed (fin-then-rst, abort). */
function rstSide(ds: Dataset, i: number, teardown: number): number {
  if (teardown !== T_FIN_RST && teardown !== T_ABORT) return 0;
  const c = ds.conns;
  // Zeek's history has each side's first RST once, in order: R the originator's, r the responder's
  const h = c.histories[i];
  if (h) {
    const o = h.indexOf('R'), r = h.indexOf('r');
    if (o >= 0 && (r < 0 || o < r)) return 1;
    if (r >= 0) return 2;
  }
  const fo = c.flagsOrig[i]! & RST, fr = c.flagsResp[i]! & RST;
  if (fo && !fr) return 1;
  if (fr && !fo) return 2;
  // a log's abort (TCP Reset-I/-O): the side the reason names
  const by = c.closedBy[i]!;
  return teardown === T_ABORT && (by === 1 || by === 2) ? by : 0;
}

/** FW_OUTCOMES index: what the firewall did to connection i, from its class, anomalies and events. */
function fwOutcome(ds: Dataset, teardown: number, mask: number, events: Uint32Array): number {
  if (teardown === T_FW_RESET) return FW_RESET;
  if (teardown === T_DENIED) return FW_POLICY;
  if (mask & AFTER_TIMEOUT || teardown === T_TIMEOUT) return FW_TIMEOUT;
  let out = mask & RST_DENIED ? FW_LATE : FW_NONE;
  for (let k = 0; k < events.length; k++) {
    const kind = ds.fw.kind(events[k]!);
    if (kind === K_DENY) return FW_POLICY;
    if (kind === K_NOCONN) out = FW_LATE;
  }
  return out;
}

const eventsOf = (ds: Dataset, i: number): Uint32Array => (ds.fw.count > 0 ? ds.fwEvents(i) : NO_EVENTS);

function keyOf(ds: Dataset, i: number, lost: ((i: number) => boolean) | undefined, events: Uint32Array): number {
  const c = ds.conns;
  const t = c.teardown[i]!;
  const m = c.anomalies[i]!;
  const fw = fwOutcome(ds, t, m, events);
  return packIndices(t, c.closedBy[i]!, rstSide(ds, i, t), fw, lost ? lost(i) : false, keyAnomalies(m, FW_OUTCOMES[fw]!));
}

/** Connection i's pattern, packed (finding-pattern.ts): equal keys, same finding. */
export function findingKey(ds: Dataset, i: number, lost = datasetLost(ds)): number {
  return keyOf(ds, i, lost, eventsOf(ds, i));
}

/** The name of connection i's finding (`finding == NAME`). */
export function findingName(ds: Dataset, i: number, lost = datasetLost(ds)): string {
  return findingWords(unpackPattern(findingKey(ds, i, lost))).name;
}

interface Acc {
  name: string;
  sig: number;
  t: Tallies;
  first: number;
  last: number;
  examples: number[];
  vendors: Map<string, number>;
  rstEnded: number;
  noConnDenies: number;
}

function newAcc(name: string, sig: number, lostKnown: boolean): Acc {
  return {
    name, sig, first: Infinity, last: -Infinity, examples: [], vendors: new Map(), rstEnded: 0, noConnDenies: 0,
    t: {
      count: 0, teardown: new Array<number>(TEARDOWNS.length).fill(0), closedBy: new Array<number>(CLOSED_BY.length).fill(0),
      rstBy: new Array<number>(RST_SIDES.length).fill(0), fw: new Array<number>(FW_OUTCOMES.length).fill(0),
      anomalies: new Array<number>(ANOMALIES.length).fill(0), lost: lostKnown ? 0 : undefined, logOnly: 0,
    },
  };
}

function toIndices(sel: Iterable<number>): Uint32Array {
  if (sel instanceof Uint32Array) return sel;
  if (sel instanceof AllRows) return sel.indices();
  return Uint32Array.from(sel);
}

/**
 * The most frequent values of col over rows[from, to), at most k, most first (ties: the one `tie`
 * puts first, the smaller value by default). `counts` is all zeros on entry and on return;
 * `touched` is scratch of length >= to - from.
 */
function topK(rows: Uint32Array, from: number, to: number, col: ArrayLike<number>, counts: Uint32Array, touched: Uint32Array,
  tie: (a: number, b: number) => number = (a, b) => a - b, k = 5): Ranked<number>[] {
  let n = 0;
  for (let r = from; r < to; r++) {
    const v = col[rows[r]!]!;
    if (counts[v]!++ === 0) touched[n++] = v;
  }
  const best: Ranked<number>[] = [];
  for (let j = 0; j < n; j++) {
    const v = touched[j]!, c = counts[v]!;
    const worse = (b: Ranked<number>): boolean => b.count < c || (b.count === c && tie(b.value, v) > 0);
    if (best.length < k || worse(best[best.length - 1]!)) {
      let at = best.length;
      while (at > 0 && worse(best[at - 1]!)) at--;
      best.splice(at, 0, { value: v, count: c });
      if (best.length > k) best.pop();
    }
  }
  for (let j = 0; j < n; j++) counts[touched[j]!] = 0;
  return best;
}

const RANK: Record<string, number> = Object.fromEntries(SEVERITIES.map((s, k) => [s, k]));

/** The findings of the selected connections (indices): most severe first, then most connections first. */
export function computeFindings(ds: Dataset, sel: Iterable<number>, opts: FindingOptions = {}): Finding[] {
  const lost = opts.lost ?? datasetLost(ds);
  const c = ds.conns;
  const rows = toIndices(sel);
  const n = rows.length;
  const group = new Uint32Array(n);
  const bySig = new Map<number, number>();
  const byName = new Map<string, number>();
  const accs: Acc[] = [];
  for (let k = 0; k < n; k++) {
    const i = rows[k]!;
    const events = eventsOf(ds, i);
    const sig = keyOf(ds, i, lost, events);
    let g = bySig.get(sig);
    if (g === undefined) {
      const name = findingWords(unpackPattern(sig)).name;
      g = byName.get(name);
      if (g === undefined) {
        g = accs.length;
        byName.set(name, g);
        accs.push(newAcc(name, sig, lost !== undefined));
      }
      bySig.set(sig, g);
    }
    group[k] = g;
    const a = accs[g]!, t = a.t;
    t.count++;
    t.teardown[sig & 15]!++;
    t.closedBy[(sig >> 4) & 3]!++;
    t.rstBy[(sig >> 6) & 3]!++;
    t.fw[(sig >> 8) & 7]!++;
    if ((sig >> 11) & 1 && t.lost !== undefined) t.lost++;
    for (let m = c.anomalies[i]!, b = 0; m !== 0; m >>>= 1, b++) if (m & 1) t.anomalies[b]!++;
    if (c.vantage[i] === LOG_ONLY) t.logOnly++;
    const f = c.firstTs[i]!, l = c.lastTs[i]!;
    if (f < a.first) a.first = f;
    if (l > a.last) a.last = l;
    if (f > a.last) a.last = f;
    // the three smallest ids, in order
    const ex = a.examples;
    if (ex.length < 3 || i < ex[2]!) {
      let at = Math.min(ex.length, 3);
      while (at > 0 && ex[at - 1]! > i) at--;
      ex.splice(at, 0, i);
      if (ex.length > 3) ex.pop();
    }
    if ((c.flagsOrig[i]! | c.flagsResp[i]!) & RST) a.rstEnded++;
    if (events.length > 0) {
      const v = ds.fw.vendor(events[0]!);
      a.vendors.set(v, (a.vendors.get(v) ?? 0) + 1);
      for (const e of events) if (ds.fw.kind(e) === K_NOCONN) a.noConnDenies++;
    }
  }

  // top hosts and ports: the selection sorted by finding, counted finding by finding
  const g0 = accs.length;
  const start = new Uint32Array(g0 + 1);
  for (let k = 0; k < n; k++) start[group[k]! + 1]!++;
  for (let g = 0; g < g0; g++) start[g + 1]! += start[g]!;
  const at = start.slice(0, g0);
  const byGroup = new Uint32Array(n);
  for (let k = 0; k < n; k++) byGroup[at[group[k]!]!++] = rows[k]!;
  const touched = group; // (no longer needed as such: scratch of the right length)
  const addrCounts = new Uint32Array(ds.addrs.count);
  const portCounts = new Uint32Array(65536);
  const host = (r: Ranked<number>): Ranked<string> => ({ value: ds.addrs.text(r.value), count: r.count });
  // (hosts as many connections: the smaller address first, whatever order the inputs were read in)
  const byAddress = (a: number, b: number): number => ds.addrs.compare(a, b);

  const out = accs.map((a, g): Finding => {
    const from = start[g]!, to = start[g + 1]!;
    const vendor = [...a.vendors].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]?.[0];
    const w = findingWords(unpackPattern(a.sig), vendor);
    return {
      name: a.name,
      title: w.title,
      severity: w.severity,
      count: a.t.count,
      first: Number.isFinite(a.first) ? a.first : 0,
      last: Number.isFinite(a.last) ? a.last : 0,
      clients: topK(byGroup, from, to, c.origAddr, addrCounts, touched, byAddress).map(host),
      servers: topK(byGroup, from, to, c.respAddr, addrCounts, touched, byAddress).map(host),
      ports: topK(byGroup, from, to, c.respPort, portCounts, touched),
      examples: a.examples.map((i) => i + 1),
      evidence: evidenceLines(a.t, TEARDOWNS, FW_OUTCOMES),
      cause: w.cause,
      who: w.who,
      action: w.action,
      rstEnded: a.rstEnded,
      noConnDenies: a.noConnDenies,
      filter: `finding == ${a.name}`,
    };
  });
  return out.sort((x, y) => RANK[x.severity]! - RANK[y.severity]! || y.count - x.count || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** Per dataset, once: every connection's finding, as an index into `names` (the `finding` filter field). */
export interface FindingIndex {
  index: Uint16Array | Uint32Array;
  names: readonly string[];
}

const indexes = new WeakMap<Dataset, FindingIndex>();

export function findingIndex(ds: Dataset): FindingIndex {
  const had = indexes.get(ds);
  if (had) return had;
  const lost = datasetLost(ds);
  const n = ds.conns.count;
  let index: Uint16Array | Uint32Array = new Uint16Array(n);
  const bySig = new Map<number, number>();
  const byName = new Map<string, number>();
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const sig = findingKey(ds, i, lost);
    let g = bySig.get(sig);
    if (g === undefined) {
      const name = findingWords(unpackPattern(sig)).name;
      g = byName.get(name);
      if (g === undefined) {
        g = names.length;
        names.push(name);
        byName.set(name, g);
        if (g === 65536) index = Uint32Array.from(index);
      }
      bySig.set(sig, g);
    }
    index[i] = g;
  }
  const r = { index, names };
  indexes.set(ds, r);
  return r;
}
