/**
 * What `rsttui report` says, as numbers and words, before any format: the inputs and their time
 * spans, the findings by severity, the histogram of RST-ended connections and "no connection"
 * denies, and one example ladder per finding. Pure: the renderers (report-md.ts, report-html.ts)
 * only lay it out. Text here is as read (a log line may hold anything): each renderer makes it
 * safe for its format.
 *
 * The findings, the histogram (summarize) and the per-connection timeline are computed elsewhere
 * and handed in, so that this module depends on their shapes only.
 */
import type { Dataset } from '../flows/dataset.js';
import type { FwEventView } from '../flows/fw-table.js';
import type { Finding, Severity } from '../analysis/finding-types.js';
import { SEVERITIES } from '../analysis/finding-types.js';
import { RST, flagLetters } from '../model.js';
import { MARK_MISSING_ELSEWHERE, MARK_SEEN_ELSEWHERE } from '../correlate/vantage.js';
import { SAY } from '../analysis/glossary.js';
import { S_HOST, STR_SLOTS } from '../read/fw-chunk.js';
import { VENDORS } from '../read/syslog-envelope.js';
import { eventTag } from '../read/vendors.js';
import { endpoint } from './records.js';

/** The part of `summarize` (the summary command's numbers) the report shows. */
export interface HistogramInput {
  rstHistogram: { start: number; bucketSeconds: number; counts: number[] };
  firewall: { denies: number[] };
}

/** One entry of a connection's merged timeline (the shape `explain` builds). */
export type TimelineStep =
  | { kind: 'packet'; ts: number; row: number; vantage: string; resp: boolean; flags: number; len: number; text: string; primary: boolean }
  | { kind: 'event'; ts: number; event: FwEventView; text: string };

export interface ReportInputs {
  findings: readonly Finding[];
  summary: HistogramInput;
  /** connection i's timeline (0-based), packets of every vantage and firewall events in time order */
  timeline: (i: number) => readonly TimelineStep[];
  /** the --filter expression, if one was given */
  filter?: string;
  /** the longest example ladder, in steps (default 20) */
  maxSteps?: number;
}

export interface CaptureSpan {
  name: string;
  path: string;
  kind: string;
  packets: number;
  /** epoch seconds; NaN when the capture holds no TCP packet */
  first: number;
  last: number;
}

export interface LogSpan {
  name: string;
  path: string;
  lines: number;
  events: number;
  /** on the log's own clock; NaN when it has no event with a time */
  first: number;
  last: number;
  vendors: string[];
  devices: string[];
}

export interface LadderStep {
  kind: 'packet' | 'event' | 'gap';
  ts: number;
  /** packets: client to server (c2s) or back (s2c); events and gaps: fw */
  dir: 'c2s' | 's2c' | 'fw';
  /** packets: flag letters (`.` for none); events: the message tag (106015, PAN-OS) */
  label: string;
  len: number;
  vantage: string;
  /** the explanation's main clause: one line */
  text: string;
  /** the whole explanation (states, likely causes), for a tooltip */
  detail: string;
  rst: boolean;
  /** a packet a firewall log shows denied, or a deny event */
  denied: boolean;
  /** a packet missing at another capture that saw the connection (dropped in between) */
  lost: boolean;
  /** gaps: the packets and events left out */
  packets?: number;
  events?: number;
}

export interface Ladder {
  /** connection id (1-based) */
  id: number;
  client: string;
  server: string;
  steps: LadderStep[];
}

export interface ReportFinding extends Finding {
  /** the finding's filter within the report's own --filter (what to paste to see exactly these) */
  select: string;
  ladder?: Ladder;
}

export interface ReportModel {
  filter?: string;
  connections: number;
  /** connections in the inputs, before --filter */
  totalConnections: number;
  packets: number;
  captures: CaptureSpan[];
  logs: LogSpan[];
  /** log clock - capture clock, when logs and captures were matched */
  logOffset?: { seconds: number; pairs: number };
  /** most severe first, then most connections */
  findings: ReportFinding[];
  /** connections per severity */
  bySeverity: Record<Severity, number>;
  histogram: { start: number; bucketSeconds: number; rst: number[]; denies: number[]; rstTotal: number; denyTotal: number; withLogs: boolean };
  /** the finding behind most of the firewall's "no connection" denies (else most RST-ended connections): what explains the spike */
  spike?: Spike;
}

export interface Spike {
  /** 1-based number of the finding in `findings` */
  number: number;
  finding: ReportFinding;
  denies: number;
  rsts: number;
}

/** What a severity means for the incident, in a few words. */
export const SEVERITY_WORDS: Record<Severity, string> = {
  info: 'harmless',
  warn: 'worth a look',
  error: 'real breakage: lost data or broken connections',
};

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
const sentence = (t: string): string => (/[.!?]$/.test(t) ? t : `${t}.`);

/** The spike's sentence, plain text (the renderers make it safe): which share of what belongs to which finding, why, who, what to do. */
export function spikeWords(m: ReportModel): string | undefined {
  const k = m.spike;
  if (!k) return undefined;
  const f = k.finding, h = m.histogram;
  const share = (n: number, total: number, one: string, many: string): string =>
    n === total ? (total === 1 ? `the one ${one}` : `all ${total} ${many}`) : `${n} of the ${total} ${many}`;
  const parts: string[] = [];
  if (k.denies) parts.push(share(k.denies, h.denyTotal, 'firewall "no connection" deny', 'firewall "no connection" denies'));
  if (k.rsts) parts.push(share(k.rsts, h.rstTotal, 'RST-ended connection', 'RST-ended connections'));
  const verb = parts.length === 1 && parts[0]!.startsWith('the one') ? 'belongs' : 'belong';
  return `${parts.join(' and ')} ${verb} to one pattern, finding ${k.number} (${f.severity}, ${SEVERITY_WORDS[f.severity]}, ${plural(f.count, 'connection')}): ` +
    `${f.title}. Why: ${sentence(f.cause)} Who can act: ${sentence(f.who)} What to do: ${sentence(f.action)}`;
}

/** The finding that holds most "no connection" denies, else most RST-ended connections (none: no such thing at all). */
function spikeOf(findings: readonly ReportFinding[]): Spike | undefined {
  const by = (k: 'noConnDenies' | 'rstEnded'): number => {
    let best = -1;
    findings.forEach((f, j) => { if ((f[k] ?? 0) > 0 && (best < 0 || (f[k] ?? 0) > (findings[best]![k] ?? 0))) best = j; });
    return best;
  };
  let j = by('noConnDenies');
  if (j < 0) j = by('rstEnded');
  if (j < 0) return undefined;
  const f = findings[j]!;
  return { number: j + 1, finding: f, denies: f.noConnDenies ?? 0, rsts: f.rstEnded ?? 0 };
}

/**
 * Findings named in the report's first lines ("In short"): enough for every finding of an
 * ordinary incident, so that a harmless pattern behind most RSTs is not pushed out by a few
 * smaller warnings.
 */
export const HEADLINE = 10;

/** Everything the report shows, for the selected connections (0-based indices, each once). */
export function reportModel(ds: Dataset, sel: Iterable<number>, inp: ReportInputs): ReportModel {
  let connections = 0, packets = 0;
  for (const i of sel) {
    connections++;
    packets += ds.conns.origPkts[i]! + ds.conns.respPkts[i]!;
  }
  const findings = [...inp.findings]
    .sort((x, y) => SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity) || y.count - x.count)
    .map((f): ReportFinding => {
      const r: ReportFinding = { ...f, select: inp.filter ? `(${inp.filter}) and (${f.filter})` : f.filter };
      const ex = f.examples[0];
      if (ex !== undefined && ex >= 1 && ex <= ds.conns.count) r.ladder = ladder(ds, ex - 1, inp.timeline(ex - 1), inp.maxSteps ?? 20);
      return r;
    });
  const bySeverity: Record<Severity, number> = { error: 0, warn: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity] += f.count;
  const h = inp.summary.rstHistogram;
  const denies = inp.summary.firewall.denies;
  const sum = (a: readonly number[]): number => a.reduce((s, x) => s + x, 0);
  const model: ReportModel = {
    connections, totalConnections: ds.conns.count, packets,
    captures: captureSpans(ds),
    logs: logSpans(ds),
    findings,
    bySeverity,
    histogram: { start: h.start, bucketSeconds: h.bucketSeconds, rst: [...h.counts], denies: [...denies], rstTotal: sum(h.counts), denyTotal: sum(denies), withLogs: ds.logs.length > 0 },
  };
  if (inp.filter !== undefined) model.filter = inp.filter;
  const spike = spikeOf(findings);
  if (spike) model.spike = spike;
  if (ds.logs.length > 0 && ds.files.length > 0 && ds.logOffset.pairs > 0) model.logOffset = { ...ds.logOffset };
  return model;
}

/** Packets and time span per capture: one pass over its rows. */
function captureSpans(ds: Dataset): CaptureSpan[] {
  return ds.files.map((f) => {
    let first = Infinity, last = -Infinity;
    for (let r = f.first; r < f.end; r++) {
      const t = ds.packets.ts(r);
      if (t < first) first = t;
      if (t > last) last = t;
    }
    const n = f.end - f.first;
    return { name: f.name, path: f.path, kind: f.kind, packets: n, first: n ? first : NaN, last: n ? last : NaN };
  });
}

/** Lines, events, time span, vendors and devices per log: one pass over the event table. */
function logSpans(ds: Dataset): LogSpan[] {
  const acc = ds.logs.map(() => ({ first: Infinity, last: -Infinity, vendors: new Set<number>(), devices: new Set<number>() }));
  for (const ch of ds.fw.chunks) {
    const a = acc[ch.log];
    if (!a) continue;
    for (let r = 0; r < ch.n; r++) {
      const t = ch.ts[r]!;
      if (Number.isFinite(t)) {
        if (t < a.first) a.first = t;
        if (t > a.last) a.last = t;
      }
      a.vendors.add(ch.vendor[r]!);
      const host = ch.str[r * STR_SLOTS + S_HOST]!;
      if (host) a.devices.add(host);
    }
  }
  return ds.logs.map((l, k) => {
    const a = acc[k]!;
    const ok = a.first <= a.last;
    return {
      name: l.name, path: l.path, lines: l.lines, events: l.events,
      first: ok ? a.first : NaN, last: ok ? a.last : NaN,
      vendors: [...a.vendors].sort((x, y) => x - y).map((v) => VENDORS[v] ?? 'ASA'),
      devices: [...a.devices].map((s) => ds.fw.strings[s] ?? '').filter((s) => s !== '').sort(),
    };
  });
}

/**
 * The example ladder of connection i: its primary vantage's packets, packets only another vantage
 * saw (copies of a packet at a second vantage left out), and the firewall's events. A long one
 * keeps the handshake and the teardown (from just before the first FIN or RST), with a gap step
 * counting what was left out.
 */
export function ladder(ds: Dataset, i: number, tl: readonly TimelineStep[], max: number): Ladder {
  const c = ds.conns;
  const denied = new Set<number>();
  for (const e of tl) {
    if (e.kind !== 'event' || (e.event.kind !== 'deny-no-conn' && e.event.kind !== 'deny')) continue;
    const r = ds.eventPacket(e.event);
    if (r !== undefined) denied.add(r);
  }
  const all: LadderStep[] = [];
  for (const e of tl) {
    if (e.kind === 'packet') {
      if (!e.primary && ds.packets.mark(e.row) & MARK_SEEN_ELSEWHERE) continue;
      const d = denied.has(e.row);
      all.push({
        kind: 'packet', ts: e.ts, dir: e.resp ? 's2c' : 'c2s', label: flagLetters(e.flags) || '.', len: e.len, vantage: e.vantage,
        text: mainClause(e.text), detail: e.text, rst: (e.flags & RST) !== 0, denied: d, lost: !d && (ds.packets.mark(e.row) & MARK_MISSING_ELSEWHERE) !== 0,
      });
    } else {
      const k = e.event.kind;
      all.push({
        kind: 'event', ts: e.ts, dir: 'fw', label: eventTag(e.event.vendor, e.event.msgid), len: 0, vantage: e.event.host ?? '',
        text: firstSentence(e.text), detail: e.text, rst: ((e.event.tcpFlags ?? 0) & RST) !== 0, denied: k === 'deny-no-conn' || k === 'deny', lost: false,
      });
    }
  }
  return {
    id: i + 1,
    client: endpoint(ds.addrs.text(c.origAddr[i]!), c.origPort[i]!),
    server: endpoint(ds.addrs.text(c.respAddr[i]!), c.respPort[i]!),
    steps: shorten(all, Math.max(8, max)),
  };
}

const HEAD = 3;

/** At most `max` steps (gaps included): the first HEAD, then the teardown. */
export function shorten(all: LadderStep[], max: number): LadderStep[] {
  if (all.length <= max) return all;
  const close = all.findIndex((s) => s.kind === 'packet' && /[FR]/.test(s.label));
  // room after the head and its gap, keeping one step for a gap at the end
  const room = max - HEAD - 1;
  // (a teardown near the end: start earlier, so that the room is used)
  const from = Math.min(close < 0 ? all.length : Math.max(HEAD, close - 2), all.length - room);
  const out = all.slice(0, HEAD);
  if (from > HEAD) out.push(gap(all.slice(HEAD, from)));
  const rest = all.slice(from);
  const keep = rest.length <= max - out.length ? rest.length : max - out.length - 1;
  out.push(...rest.slice(0, keep));
  if (keep < rest.length) out.push(gap(rest.slice(keep)));
  return out;
}

/**
 * A packet's explanation without the states and time in parentheses at its end (explain.ts adds
 * them after the clause) and without the likely causes after them (the finding gives those).
 */
export function mainClause(text: string): string {
  let t = text;
  const lead = t.indexOf(SAY.causesLead);
  if (lead >= 0) t = t.slice(0, lead);
  const states = t.lastIndexOf(' (');
  if (t.endsWith(')') && states > 0 && !t.slice(states + 2, -1).includes('(')) t = t.slice(0, states);
  return t;
}

/** An event's explanation up to the end of its first sentence. */
export function firstSentence(text: string): string {
  const k = text.indexOf('. ');
  return k < 0 ? text : text.slice(0, k + 1);
}

function gap(left: LadderStep[]): LadderStep {
  const packets = left.filter((s) => s.kind === 'packet').length;
  return {
    kind: 'gap', ts: left[0]!.ts, dir: 'fw', label: '', len: 0, vantage: '', rst: false, denied: false, lost: false, detail: '',
    text: `${packets} packet${packets === 1 ? '' : 's'}${left.length > packets ? ` and ${left.length - packets} firewall event${left.length - packets === 1 ? '' : 's'}` : ''} left out`,
    packets, events: left.length - packets,
  };
}

/** Epoch seconds as `YYYY-MM-DD HH:MM:SS.ffffff` UTC (`digits` fraction digits), `-` when unknown. */
export function utc(ts: number, digits = 6): string {
  if (!Number.isFinite(ts)) return '-';
  const us = Math.round(ts * 1e6);
  const s = Math.floor(us / 1e6);
  const frac = String(us - s * 1e6).padStart(6, '0').slice(0, digits);
  return new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ') + (digits > 0 ? `.${frac}` : '');
}
