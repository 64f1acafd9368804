/**
 * `rsttui explain FILE... --flow ID`: a connection's header and its timeline, one packet per line,
 * from every vantage that saw it, with the firewall's events placed among the packets.
 */
import { eventTag } from '../read/vendors.js';
import { flagLetters, MARK_RESP, anomalyNames, anomalyBit, CONN_STATES, TEARDOWNS, CLOSED_BY, FIN, RST } from '../model.js';
import { LOG_ONLY } from '../correlate/firewall.js';
import { explain, explainImpact } from '../analysis/explain.js';
import { relSeq } from '../analysis/endpoint.js';
import { humanDelta, SAY_FW, SAY_IMPACT } from '../analysis/glossary.js';
import { reasonMeaningFor } from '../read/fw-reasons.js';
import { MARK_SEEN_ELSEWHERE, MARK_MISSING_ELSEWHERE } from '../correlate/vantage.js';
import type { FwEvent } from '../read/asa.js';
import { endpoint, fileOfRow, nflogOfRow, nflogTag, splitNotes, vantageNames } from '../export/records.js';
import { isoUs } from '../export/iso-time.js';
import { loadForCommand } from './load.js';
import { LineWriter } from './out.js';
import { UsageError, type Parsed } from './main.js';
import { stripControls } from '../text.js';
import type { Dataset } from '../flows/dataset.js';

/** One timeline entry: a packet (row) or a firewall event. */
export type TimelineEntry =
  | { kind: 'packet'; ts: number; row: number; vantage: string; resp: boolean; flags: number; seq: number; ack: number; len: number; frame: number; text: string; primary: boolean }
  | { kind: 'event'; ts: number; event: FwEvent; text: string };

/** What a firewall event means in this connection, in words (glossary.ts). */
export function eventText(ds: Dataset, i: number, e: FwEvent): string {
  const c = ds.conns;
  switch (e.kind) {
    case 'built':
      return SAY_FW.built(String(e.connId ?? ''));
    case 'teardown': {
      const reason = (e.reason ?? 'unknown reason') + (e.reasonFrom ? ` from ${e.reasonFrom}` : '');
      const m = e.reason ? reasonMeaningFor(e.vendor, e.reason) : undefined;
      return m ? SAY_FW.teardown(reason, m) : SAY_FW.teardownUnknown(reason);
    }
    case 'deny-no-conn': {
      const fromServer = e.src?.port === c.respPort[i] && e.src?.port !== c.origPort[i];
      // (a vendor that logs no flags (FortiGate): the packet, said so)
      const said = SAY_FW.denyNoConn(fromServer ? 'server' : 'client', e.tcpFlags ? e.flagText ?? 'packet' : 'packet (the log gives no TCP flags)');
      const an = c.anomalies[i]!;
      if (an & anomalyBit('after-timeout')) return `${said}. ${SAY_FW.afterTimeout}`;
      if (c.vantage[i] === LOG_ONLY && an & anomalyBit('late-rst') && ((e.tcpFlags ?? 0) & RST || !e.tcpFlags)) return `${said}. ${SAY_FW.lateRstFromLog}`;
      return said;
    }
    case 'deny':
      return SAY_FW.deny(stripControls(e.text).slice(0, 80));
    case 'local-host-built':
    case 'local-host-teardown':
      return SAY_FW.localHost(e.kind === 'local-host-built');
    default:
      return SAY_FW.other(eventTag(e.vendor, e.msgid), e.reason);
  }
}

/** The merged timeline of connection i: packets of every vantage and firewall events, in time order. */
export function timeline(ds: Dataset, i: number): TimelineEntry[] {
  const pk = ds.packets;
  const p = ds.connPackets(i);
  const v = ds.verdict(i);
  const lines = explain(p, v);
  const rel = relSeq(p);
  const primary = ds.primaryRows(i);
  const index = new Map<number, number>();
  primary.forEach((r, k) => index.set(r, k));
  // relative numbering for other vantages: their own first seq per direction
  const base = new Map<string, number>();
  const mask = ds.vantageMask(i);
  const entries: TimelineEntry[] = [];
  for (const row of ds.packetRows(i)) {
    const f = fileOfRow(ds, row);
    const resp = (pk.mark(row) & MARK_RESP) !== 0;
    const k = index.get(row);
    let seq: number, ack: number, text: string;
    if (k !== undefined) {
      seq = rel.seq[k]!;
      ack = rel.ack[k]!;
      text = lines[k] ?? '';
      if (pk.mark(row) & MARK_MISSING_ELSEWHERE) {
        const others = vantageNames(ds, mask & ~(1 << f)).join(', ');
        text += `; ${SAY_FW.missingAt(others)}`;
      }
    } else {
      const key = `${f}:${resp ? 1 : 0}`;
      if (!base.has(key)) base.set(key, pk.seq(row));
      const keyA = `${f}:${resp ? 0 : 1}`;
      seq = (pk.seq(row) - base.get(key)!) >>> 0;
      ack = base.has(keyA) ? (pk.ack(row) - base.get(keyA)!) >>> 0 : 0;
      text = pk.mark(row) & MARK_SEEN_ELSEWHERE ? SAY_FW.seenAlso(ds.files[f]!.name) : `seen only at ${ds.files[f]!.name}`;
    }
    const nf = nflogOfRow(ds, row, f);
    if (nf) text = `${nflogTag(nf)}: ${nf.dropped ? `${SAY_FW.nflogDropped(resp ? 'client' : 'server')}: ` : ''}${text}`;
    entries.push({ kind: 'packet', ts: pk.ts(row), row, vantage: ds.files[f]!.name, resp, flags: pk.flags(row), seq, ack, len: pk.len(row), frame: pk.frame(row), text, primary: k !== undefined });
  }
  // events: at their time on the capture clock, except where the packet they are about is known
  const off = ds.logOffset.seconds;
  const anchorOf = (e: FwEvent): number => {
    const r = ds.eventPacket(e);
    if (r !== undefined) return pk.ts(r);
    if (e.kind === 'teardown' && /^TCP FINs/i.test(e.reason ?? '')) {
      // the ASA removes the connection at the FIN that completes the exchange
      const seen = [false, false];
      for (const en of entries) {
        if (en.kind !== 'packet' || !en.primary || !(en.flags & FIN)) continue;
        seen[en.resp ? 1 : 0] = true;
        if (seen[0] && seen[1]) return en.ts;
      }
    }
    return e.ts + (Number.isInteger(e.ts) ? 0.5 : 0) - off;
  };
  // packets are already in time order; an event anchored to a packet goes right after it
  // (and after that packet's copies at other vantages), any other at its time
  const events = ds.firewallOf(i).map((e) => ({ e, anchor: anchorOf(e) }));
  const out: TimelineEntry[] = [];
  let q = 0;
  const pending = events.sort((x, y) => x.anchor - y.anchor);
  for (let k = 0; k < entries.length; k++) {
    const en = entries[k]!;
    while (q < pending.length && pending[q]!.anchor < en.ts) {
      out.push({ kind: 'event', ts: pending[q]!.anchor, event: pending[q]!.e, text: eventText(ds, i, pending[q]!.e) });
      q++;
    }
    out.push(en);
    // same-time copies of this packet at other vantages stay next to it
    const next = entries[k + 1];
    if (next && next.ts === en.ts && next.kind === 'packet' && en.kind === 'packet' && !next.primary) continue;
    while (q < pending.length && pending[q]!.anchor === en.ts && en.kind === 'packet' && en.primary) {
      out.push({ kind: 'event', ts: pending[q]!.anchor, event: pending[q]!.e, text: eventText(ds, i, pending[q]!.e) });
      q++;
    }
  }
  for (; q < pending.length; q++) out.push({ kind: 'event', ts: pending[q]!.anchor, event: pending[q]!.e, text: eventText(ds, i, pending[q]!.e) });
  return out;
}

/** The header and timeline lines of connection i (0-based). */
export function explainLines(ds: Dataset, i: number): string[] {
  const c = ds.conns;
  const oh = ds.addrs.text(c.origAddr[i]!), rh = ds.addrs.text(c.respAddr[i]!);
  const v = ds.verdict(i);
  const out: string[] = [];
  // evidence indices are positions in the primary vantage's packets: name them by frame
  const pr = ds.primaryRows(i);
  const where = (k: number): string => {
    const r = pr[k];
    return r === undefined ? `#${k + 1}` : `${ds.files[fileOfRow(ds, r)]!.name} frame ${ds.packets.frame(r)}`;
  };
  const ev = Object.entries(v.evidence).map(([name, list]) => `${name} (${list!.map(where).join(', ')})`);
  const named = new Set(Object.keys(v.evidence));
  const rest = anomalyNames(c.anomalies[i]!).filter((a) => !named.has(a));
  const vantages = vantageNames(ds, ds.vantageMask(i));
  out.push(`connection ${i + 1}: ${endpoint(oh, c.origPort[i]!)} (client) → ${endpoint(rh, c.respPort[i]!)} (server)  tcp`);
  out.push(`  seen at     ${vantages.length ? vantages.join(', ') : 'no capture (firewall log only)'}`);
  out.push(`  first       ${isoUs(c.firstTs[i]!)} UTC   last ${isoUs(c.lastTs[i]!)} UTC   duration ${humanDelta(c.lastTs[i]! - c.firstTs[i]!)}`);
  out.push(`  packets     client ${c.origPkts[i]}, server ${c.respPkts[i]}   payload bytes client ${c.origBytes[i]}, server ${c.respBytes[i]}`);
  out.push(`  conn_state  ${CONN_STATES[c.connState[i]!] ?? '- (no packets: known from the firewall log only)'}   history ${c.histories[i] || '-'}`);
  out.push(`  teardown    ${TEARDOWNS[c.teardown[i]!]} (closed by ${CLOSED_BY[c.closedBy[i]!]})`);
  out.push(`  anomalies   ${[...ev, ...rest].join('; ') || 'none'}`);
  if (v.tls.orig !== 'n/a' || v.tls.resp !== 'n/a') out.push(`  tls close   client ${v.tls.orig}, server ${v.tls.resp}`);
  for (const s of splitNotes(ds, i)) out.push(`  4-tuple     ${s}`);
  out.push(`  impact      ${c.vantage[i] === LOG_ONLY ? SAY_IMPACT.noPackets : explainImpact(ds.connPackets(i))}`);
  if (ds.firewallOf(i).length) out.push(`  firewall    ${ds.files.length ? SAY_FW.offset(humanDelta(ds.logOffset.seconds), ds.logOffset.pairs) : SAY_FW.noCapture}`);
  out.push('');
  const tl = timeline(ds, i);
  const vw = Math.max(7, ...tl.map((e) => (e.kind === 'packet' ? e.vantage.length : 0)));
  out.push(`${'#'.padStart(3)}  ${'time (UTC)'.padEnd(15)}  ${'delta'.padStart(9)}  ${'seen at'.padEnd(vw)}     ${'flags'.padEnd(5)}  ${'seq'.padStart(10)}  ${'ack'.padStart(10)}  ${'len'.padStart(5)}  ${'frame'.padStart(6)}  explanation`);
  let prev = NaN, n = 0;
  for (const e of tl) {
    const delta = Number.isNaN(prev) ? '' : '+' + humanDelta(e.ts - prev);
    prev = e.ts;
    const time = isoUs(e.ts).slice(11);
    if (e.kind === 'packet') {
      n++;
      out.push(`${String(n).padStart(3)}  ${time}  ${delta.padStart(9)}  ${e.vantage.padEnd(vw)}  ${e.resp ? '←' : '→'}  ${(flagLetters(e.flags) || '.').padEnd(5)}  ${String(e.seq).padStart(10)}  ${String(e.ack).padStart(10)}  ${String(e.len).padStart(5)}  ${String(e.frame).padStart(6)}  ${stripControls(e.text)}`);
    } else {
      out.push(`${'fw'.padStart(3)}  ${time}  ${delta.padStart(9)}  ${`log ${eventTag(e.event.vendor, e.event.msgid)}`.padEnd(vw)}  ${'*'}  ${stripControls(e.text)}  [${e.event.file.split('/').pop()}:${e.event.line}]`);
    }
  }
  return out;
}

export async function runExplain(p: Parsed): Promise<number> {
  const flow = Number(p.values.flow);
  if (!Number.isInteger(flow) || flow < 1) throw new UsageError('explain: --flow ID is required (a connection id from `rsttui flows`)');
  const { ds, status } = await loadForCommand(p);
  if (flow > ds.conns.count) {
    process.stderr.write(`rsttui: explain: no connection ${flow} (there are ${ds.conns.count})\n`);
    return status || 1;
  }
  const out = new LineWriter();
  for (const l of explainLines(ds, flow - 1)) out.line(l);
  await out.end();
  return status;
}
