/**
 * The timeline (ladder diagram) of one connection, in the manner of sngrep's call flow: two
 * vertical rules (client, server), one arrow per packet with flags, relative seq/ack, length and
 * the time since the previous row, and firewall events as rows of their own at their time. Built
 * once when a connection is opened; lines are cut per width. This file builds the rows and draws
 * the two-line layout (arrow, explanation under it); ladder-compact.ts draws the one-line layout
 * and the detail pane under it.
 */
import { eventTag } from '../../read/vendors.js';
import { endpoint, fileOfRow, nflogOfRow, splitNotes } from '../../export/records.js';
import { CLOSED_BY, CONN_STATES, TEARDOWNS, anomalyBit, anomalyNames, type Anomaly } from '../../model.js';
import { explainParts } from '../../analysis/explain.js';
import { PacketRow, type LadderRow, type PacketRowsOf } from './ladder-row.js';
import { relSeq } from '../../analysis/endpoint.js';
import { humanDelta } from '../../analysis/glossary.js';
import { packetAnomalies } from '../../analysis/teardown.js';
import type { Dataset } from '../../flows/dataset.js';
import { stripControls } from '../../text.js';
import type { Glyphs } from '../theme.js';
import { clip, fit, fitLeft, timeOfDay } from './text.js';
import { vantageCell } from './list.js';
import type { FwEndpoint, FwEvent } from '../../read/asa.js';
import type { FwEventView } from '../../flows/fw-table.js';
import { MARK_MISSING_ELSEWHERE, MARK_SEEN_ELSEWHERE } from '../../correlate/vantage.js';

/** What the UI reads of a firewall event (src/read/asa.ts FwEvent). */
export type FwEventLike = Pick<FwEvent, 'msgid' | 'reason' | 'ts' | 'text'> & Partial<Pick<FwEvent, 'kind' | 'vendor'>>;

export type { LadderRow } from './ladder-row.js';

export interface Timeline {
  conn: number;
  header: string[];
  client: string;
  server: string;
  rows: LadderRow[];
  /** packets in the connection (at its primary vantage) */
  packets: number;
  /** the 4-tuple's split links in words (records.ts splitNotes), for the pane of the first and last packet */
  split: string[];
}

export function buildTimeline(ds: Dataset, i: number): Timeline {
  const c = ds.conns;
  const p = ds.connPackets(i);
  const v = ds.verdict(i);
  const rel = relSeq(p);
  const parts = explainParts(p, v);
  // per packet, the anomalies it is evidence of: the packet walk's, and those other analyses
  // (firewall logs, vantages) added to the verdict
  const per = new Uint32Array(packetAnomalies(p, { reused: c.reused[i] === 1 }));
  for (const [name, list] of Object.entries(v.evidence)) {
    const bit = anomalyBit(name as Anomaly) >>> 0;
    for (const k of list ?? []) if (k >= 0 && k < p.n) per[k] = per[k]! | bit;
  }
  const rows: LadderRow[] = [];
  const prim = ds.primaryRows(i);
  const fw = ds.firewallOf(i);
  // the packets the firewall says it denied (a 106015 RST), by packet-table row
  const denied = new Map<number, FwEvent>();
  for (const e of fw) {
    const r = ds.eventPacket(e);
    if (r !== undefined) denied.set(r, e);
  }
  const multi = (ds.vantageMask(i) & (ds.vantageMask(i) - 1)) !== 0;
  const shared: PacketRowsOf = { p, rel, parts };
  for (let k = 0; k < p.n; k++) {
    const row = prim[k];
    const m = row !== undefined ? ds.packets.mark(row) : 0;
    const d = row !== undefined ? denied.get(row) : undefined;
    const f = row !== undefined ? fileOfRow(ds, row) : -1;
    const nf = row !== undefined ? nflogOfRow(ds, row, f) : undefined;
    rows.push(new PacketRow(
      shared, k,
      per[k] !== 0 || d !== undefined || nf?.dropped === true,
      per[k]!, d, nf,
      (m & MARK_MISSING_ELSEWHERE) !== 0,
      // vantage marks: only the exception is labelled (the header names the vantages that saw it)
      multi && (m & MARK_MISSING_ELSEWHERE) !== 0 && !(m & MARK_SEEN_ELSEWHERE),
      row !== undefined ? stripControls(ds.files[f]!.name) : undefined,
      row !== undefined ? ds.packets.frame(row) : undefined,
    ));
  }
  const off = ds.logOffset.seconds;
  const oh0 = ds.addrs.text(c.origAddr[i]!), rh0 = ds.addrs.text(c.respAddr[i]!);
  const isEnd = (ep: FwEndpoint | undefined, h: string, p: number): boolean =>
    ep !== undefined && ((ep.addr === h && ep.port === p) || (ep.mappedAddr === h && (ep.mappedPort ?? ep.port) === p));
  // where the log says which side a packet came from: a deny's source; a Built comes from the
  // client's SYN; a Teardown from the side that closed, when its reason names one
  const dirOf = (e: FwEventView): 'orig' | 'resp' | undefined => {
    if (e.kind === 'deny' || e.kind === 'deny-no-conn') {
      if (isEnd(e.src, oh0, c.origPort[i]!)) return 'orig';
      if (isEnd(e.src, rh0, c.respPort[i]!)) return 'resp';
      return undefined;
    }
    if (e.kind === 'built') return 'orig';
    if (e.kind === 'teardown') {
      const by = CLOSED_BY[c.closedBy[i]!];
      return by === 'orig' || by === 'resp' ? by : undefined;
    }
    return undefined;
  };
  for (const e of fw) {
    // on the capture's clock: the log's stamp minus the estimated offset; a stamp in whole
    // seconds may be up to a second late, so it goes after that second's packets
    const ts = Number.isFinite(e.ts) ? e.ts - off + (Number.isInteger(e.ts) ? 0.999 : 0) : Infinity;
    const pkt = ds.eventPacket(e);
    const tag = eventTag(e.vendor ?? 'ASA', e.msgid);
    const where = `${e.file.split('/').pop()}:${e.line}`;
    const row: LadderRow = {
      kind: 'fw',
      k: -1,
      ts,
      fromResp: false,
      // n/N stop at denies, not at every built/teardown message
      anomaly: e.kind === 'deny-no-conn' || e.kind === 'deny',
      label: stripControls(`firewall ${tag} ${fwWhat(e)}`),
      note: stripControls(`${where}: ${e.text}`),
      when: Number.isFinite(e.ts) ? timeOfDay(e.ts).slice(0, Number.isInteger(e.ts) ? 8 : 12) : 'no time',
      arrow: stripControls(tag),
      brief: stripControls(fwWhat(e)),
      flags: 0,
      where: stripControls(where),
      text: stripControls(e.text),
    };
    const dir = dirOf(e);
    if (dir) {
      row.dir = dir;
      row.fromResp = dir === 'resp';
    }
    // a deny right under the packet it denied; others at their time, after the packets before it
    let at = rows.length;
    const k = pkt === undefined ? -1 : prim.indexOf(pkt);
    if (k >= 0) {
      at = rows.findIndex((r) => r.kind === 'packet' && r.k === k) + 1;
      while (at < rows.length && rows[at]!.kind === 'fw') at++;
    } else while (at > 0 && rows[at - 1]!.ts > ts) at--;
    rows.splice(at, 0, row);
  }
  const oh = ds.addrs.text(c.origAddr[i]!), rh = ds.addrs.text(c.respAddr[i]!);
  const client = stripControls(`client ${endpoint(oh, c.origPort[i]!)}`);
  const server = stripControls(`server ${endpoint(rh, c.respPort[i]!)}`);
  const an = anomalyNames(c.anomalies[i]!);
  const header = [
    stripControls(`#${ds.live ? ds.live.idOf(i) : i + 1}  ${endpoint(oh, c.origPort[i]!)} -> ${endpoint(rh, c.respPort[i]!)}  tcp   seen at ${vantageCell(ds, i)}`),
    `conn_state ${CONN_STATES[c.connState[i]!] ?? '-'}  history ${c.histories[i] || '-'}  teardown ${TEARDOWNS[c.teardown[i]!]} (closed by ${CLOSED_BY[c.closedBy[i]!]})`,
    `anomalies ${an.length ? an.join(', ') : 'none'}` +
      (fw.length ? `   firewall events ${fw.length}` : '') +
      (ds.logs.length ? `   log clock offset ${ds.logOffset.pairs ? humanDelta(ds.logOffset.seconds) : 'unknown'}` : ''),
  ];
  const split = splitNotes(ds, i);
  // (the header's short form; the pane of the first / last packet says why)
  if (split.length) header[1] += `   ${split.map((s) => s.slice(0, s.indexOf(':'))).join(', ')}`;
  return { conn: i, header, client, server, rows, packets: p.n, split };
}

/** A firewall event in a few words, for its ladder row. */
function fwWhat(e: FwEventView): string {
  switch (e.kind) {
    case 'deny-no-conn':
      return e.flagText ? `DENIED ${e.flagText} (no connection)` : 'DENIED (no connection; the log gives no TCP flags)';
    case 'deny':
      return `DENIED by policy${e.acl ? ` (${e.acl})` : ''}`;
    case 'teardown':
      return `teardown${e.reason ? ': ' + e.reason : ''}`;
    default:
      return e.kind;
  }
}

/** Row indices n/N stop at. */
export function anomalyRows(t: Timeline): number[] {
  const out: number[] = [];
  t.rows.forEach((r, k) => { if (r.anomaly) out.push(k); });
  return out;
}

/**
 * The next (dir 1) or previous (dir -1) anomaly row from `from`, wrapping; -1 when there is none.
 * `a`: anomalyRows(t), when the caller keeps it (a key press need not scan every row).
 */
export function nextAnomaly(t: Timeline, from: number, dir: 1 | -1, a: readonly number[] = anomalyRows(t)): number {
  if (a.length === 0) return -1;
  if (dir === 1) return a.find((k) => k > from) ?? a[0]!;
  for (let j = a.length - 1; j >= 0; j--) if (a[j]! < from) return a[j]!;
  return a[a.length - 1]!;
}

/** Width of the gutter before the ladder: marker, number, delta. */
export const GUTTER = 17;

function deltaText(t: Timeline, r: number): string {
  const row = t.rows[r]!;
  if (row.when !== undefined) return row.when;
  let prev = r - 1;
  while (prev >= 0 && t.rows[prev]!.kind !== 'packet') prev--;
  return prev < 0 ? timeOfDay(row.ts).slice(0, 8) : '+' + humanDelta(row.ts - t.rows[prev]!.ts);
}

/** The column-title line: client name over the left rule, server name over the right. */
export function ladderTitle(t: Timeline, width: number): string {
  const inner = Math.max(4, width - GUTTER - 2);
  const left = clip(t.client, Math.floor(inner / 2));
  const right = clip(t.server, inner - left.length - 1);
  return ' '.repeat(GUTTER) + left + ' '.repeat(Math.max(1, inner + 2 - left.length - right.length)) + right;
}

/** The arrow line of row r, `width` cells. */
export function ladderLine(t: Timeline, r: number, width: number, g: Glyphs, ascii: boolean): string {
  const row = t.rows[r]!;
  const inner = Math.max(4, width - GUTTER - 2);
  return fit(gutterText(t, r, ascii) + g.vline + shaftText(row, row.label, inner, g, ascii) + g.vline, width);
}

/** The gutter of row r: anomaly marker, packet number (`fw` for a firewall row), time. */
export function gutterText(t: Timeline, r: number, ascii: boolean): string {
  const row = t.rows[r]!;
  const mark = row.anomaly ? '!' : ' ';
  const num = row.kind === 'fw' ? 'fw' : String(row.k + 1);
  return ` ${mark}${fitLeft(num, 3)} ${fitLeft(asciiSafe(deltaText(t, r), ascii), 10)} `;
}

/**
 * The arrow between the rules, `inner` cells, with `text` on it: a packet's solid arrow by its
 * direction, a firewall event's dashed one (with a head where the log gives the side, centred
 * and headless where it does not).
 */
export function shaftText(row: LadderRow, text: string, inner: number, g: Glyphs, ascii: boolean): string {
  let shaft: string;
  if (row.kind === 'fw' && row.dir !== undefined) {
    const label = ` ${asciiSafe(text, ascii)} `;
    const fill = Math.max(0, inner - 3 - [...label].length);
    shaft = row.dir === 'resp'
      ? fit(clip(g.arrowL + g.fwLine.repeat(2) + label + g.fwLine.repeat(fill), inner), inner)
      : clip(g.fwLine.repeat(2) + label + g.fwLine.repeat(fill) + g.arrowR, inner);
  } else if (row.kind === 'fw') {
    const label = ` ${asciiSafe(text, ascii)} `;
    const side = Math.max(0, inner - [...label].length);
    shaft = clip(g.fwLine.repeat(Math.floor(side / 2)) + label + g.fwLine.repeat(Math.ceil(side / 2)), inner);
  } else {
    const label = ` ${text} `;
    const fill = Math.max(0, inner - 3 - [...label].length);
    shaft = row.fromResp
      ? clip(g.arrowL + g.hline.repeat(2) + label + g.hline.repeat(fill), inner)
      : clip(g.hline.repeat(2) + label + g.hline.repeat(fill) + g.arrowR, inner);
    if (row.fromResp && [...shaft].length < inner) shaft = fit(shaft, inner);
  }
  return fit(shaft, inner);
}

/** The explanation line under row r. */
export function ladderNote(t: Timeline, r: number, width: number, ascii: boolean): string {
  return fit(' '.repeat(7) + asciiSafe(t.rows[r]!.note, ascii), width);
}

/** --ascii also means no µ and no arrows in generated words. */
export function asciiSafe(s: string, ascii: boolean): string {
  if (!ascii) return s;
  return s.replace(/µ/g, 'u').replace(/→/g, '->').replace(/←/g, '<-').replace(/[^\x20-\x7e]/g, '?');
}
