/**
 * One plain-words line per packet of a connection: what the packet does to the close, both sides'
 * states after it, the time since the previous packet, and at anomalies the likely causes.
 * All wording comes from glossary.ts (SAY, ANOMALY_INFO); this file only picks the phrase.
 * Runs for one connection at a time (the explain command, the TUI's detail pane): it may allocate.
 */
import { ACK, ANOMALIES, FIN, MARK_RESP, MARK_TLS_ALERT, MARK_TLS_UNKNOWN, RST, SYN, TCP_STATES } from '../model.js';
import type { Anomaly } from '../model.js';
import type { ConnPackets } from './conn-packets.js';
import { ST, newEndpointPair, seqDiff, stepEndpoints } from './endpoint.js';
import { ANOMALY_INFO, SAY, SAY_IMPACT, humanDelta, stateName } from './glossary.js';
import { impact, LOST_YES } from './impact.js';
import {
  A_LATE_RST, A_MIDSTREAM, A_PORT_REUSE, A_RETRANSMISSION, A_RST_AFTER_FIN, A_ZERO_WINDOW, packetAnomalies,
} from './teardown.js';
import type { Verdict } from './teardown.js';

export interface ExplainOptions {
  origName?: string;
  respName?: string;
}

/** Names may come from the network (host names, log text): no control characters on a terminal. */
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');

/** Anomalies the sentence itself already explains: no separate "likely causes" for them. */
const INLINE = A_RST_AFTER_FIN | A_LATE_RST | A_RETRANSMISSION | A_ZERO_WINDOW | A_MIDSTREAM | A_PORT_REUSE;

/** One packet's explanation in its parts (the UI's detail pane shows them apart). */
export interface ExplainParts {
  /** what the packet does, in words */
  say: string;
  /** both sides' states after it */
  states: string;
  /** the time since the previous packet (or "first packet") */
  when: string;
  /** likely causes of the anomalies the sentence does not explain itself, '' if none */
  causes: string;
}

/** The parts as one line: `say (states; when) — likely causes: …`. */
export function joinExplain(x: ExplainParts): string {
  return `${x.say} (${x.states}; ${x.when})${x.causes ? SAY.causesLead + x.causes : ''}`;
}

export function explain(p: ConnPackets, verdict: Verdict, opts: ExplainOptions = {}): string[] {
  return explainParts(p, verdict, opts).map(joinExplain);
}

export function explainParts(p: ConnPackets, verdict: Verdict, opts: ExplainOptions = {}): ExplainParts[] {
  const names = [clean(opts.origName ?? 'client'), clean(opts.respName ?? 'server')] as const;
  const per = packetAnomalies(p, { reused: (verdict.anomalies & A_PORT_REUSE) !== 0 });
  // anomalies other analyses added to the verdict (firewall logs) carry their own evidence
  for (const [name, list] of Object.entries(verdict.evidence) as [Anomaly, number[]][]) {
    const k = ANOMALIES.indexOf(name);
    if (k < 0) continue;
    const b = 1 << k;
    for (const i of list) if (i >= 0 && i < p.n) per[i] = per[i]! | b;
  }

  const e = newEndpointPair();
  const finTs = [NaN, NaN];
  const sndMax = [NaN, NaN];
  const winZero = [false, false];
  let rstSeen = false;
  const rstSent = [0, 0];
  // the peer sent data / a FIN since this side's last packet: a RST now answers it
  const owedData = [false, false];
  const owedFin = [false, false];
  const out: ExplainParts[] = [];
  const stateTexts = new Map<number, string>();
  for (let i = 0; i < p.n; i++) {
    const s = (p.mark[i]! & MARK_RESP) !== 0 ? 1 : 0;
    const o = 1 - s;
    const a = names[s]!;
    const b = names[o]!;
    const f = p.flags[i]!;
    const l = p.len[i]!;
    const sq = p.seq[i]!;
    const bits = per[i]!;
    const before = [e.st[0]!, e.st[1]!];
    const finSentBefore = [e.finSent[0]!, e.finSent[1]!];
    const peerFinAckedBefore = e.finAcked[o]!;
    stepEndpoints(e, p, i);
    const after = [e.st[0]!, e.st[1]!];

    let say: string;
    if (f & RST) {
      const late = finSentBefore[0] === 1 && finSentBefore[1] === 1;
      const since = finSentBefore[s] ? humanDelta(p.ts[i]! - finTs[s]!) : '';
      if (before[s] === ST.UNKNOWN && before[o] === ST.SYN_SENT) say = SAY.rstRejected(a, b);
      else if (rstSent[s]) say = SAY.rstAgain(a);
      else if (owedData[s]) {
        // a RST right after the peer's data: the sender has nowhere to deliver it
        say = finSentBefore[s] ? SAY.rstAnswersData(a, b, since) : before[s] === ST.CLOSED ? SAY.rstNoConnection(a, true) : SAY.rstAbort(a);
      } else if (owedFin[s]) {
        say = finSentBefore[s] || before[s] === ST.CLOSED ? SAY.rstAnswersFin(a, b) : SAY.rstAfterPeerFin(a, b);
      } else if (finSentBefore[s]) say = SAY.rstAfterOwnFin(a, since);
      else if (before[s] === ST.CLOSED) say = SAY.rstNoConnection(a, false);
      else if (finSentBefore[o]) say = SAY.rstAfterPeerFin(a, b);
      else say = SAY.rstAbort(a);
      if (late) {
        // Once both ends are done (or a RST already went by), the firewall's entry is surely gone;
        // the first RST right behind the last FIN may still pass (the seed's client RST did).
        const over = isClosedish(before[0]!) && isClosedish(before[1]!);
        if (over && before[s] !== ST.CLOSED && before[o] !== ST.CLOSED) say += SAY.afterCloseRst;
        say += over || rstSeen ? SAY.lateRst : SAY.lateRstMaybe;
      }
      rstSeen = true;
      rstSent[s] = 1;
    } else if (f & SYN) {
      if (f & ACK) say = bits & A_RETRANSMISSION ? SAY.synAckAgain(a) : SAY.synAck(a, b);
      else say = bits & A_RETRANSMISSION ? SAY.synAgain(a) : SAY.syn(a);
    } else {
      const ackedPeerFinNow = peerFinAckedBefore === 0 && e.finAcked[o] === 1;
      const plain = (f & FIN) === 0 && l <= 1;
      const atSndNxtMinus1 = !Number.isNaN(sndMax[s]!) && seqDiff((sq + 1) >>> 0, sndMax[s]!) === 0;
      if (f & FIN) {
        if (finSentBefore[s]) say = SAY.finAgain(a);
        else {
          if (before[s] === ST.CLOSED) say = SAY.finAfterRst(a);
          else if (after[s] === ST.CLOSING) say = SAY.finSimultaneous(a, b);
          else if (finSentBefore[o]) say = SAY.finPassive(a, b);
          else say = SAY.finActive(a);
          if (l > 0) say += SAY.withData(l);
          finTs[s] = p.ts[i]!;
        }
      } else if (plain && atSndNxtMinus1) {
        say = winZero[o] ? SAY.windowProbe(a, b) : SAY.keepalive(a, b);
      } else if (l > 0) {
        say = bits & A_RETRANSMISSION ? SAY.dataAgain(a, l) : SAY.data(a, l);
        if (p.mark[i]! & MARK_TLS_ALERT) say += SAY.tlsAlert(a);
        else if (p.mark[i]! & MARK_TLS_UNKNOWN) say += SAY.tlsCut;
        if (ackedPeerFinNow) say += '; ' + SAY.ackFin(a, b);
      } else if (ackedPeerFinNow) {
        say = SAY.ackFin(a, b);
      } else if (before[o] === ST.SYN_RECEIVED && after[o] === ST.ESTABLISHED) {
        say = SAY.handshakeDone(a);
      } else say = SAY.ack(a, b);
      if (ackedPeerFinNow) {
        if (isClosedish(after[0]!) && isClosedish(after[1]!)) say += SAY.closeDone;
        else if (after[o] === ST.FIN_WAIT_2) say += SAY.waitsForFin(b, a);
        else if (isClosedish(after[o]!)) say += SAY.closeDoneFor(b);
      }
      if (p.win[i] === 0) say += SAY.zeroWindow(a);
    }
    // (the verdict drops midstream when a firewall log shows the connection being built)
    if (bits & A_MIDSTREAM && verdict.anomalies & A_MIDSTREAM) say += SAY.midstream;
    if (bits & A_PORT_REUSE) say += SAY.portReuse;

    owedData[s] = false;
    owedFin[s] = false;
    if (l > 0) owedData[o] = true;
    if (f & (FIN | SYN)) owedFin[o] = true;

    // sequence bookkeeping for keep-alive recognition (RSTs carry no data)
    if (!(f & RST)) {
      const end = (sq + l + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0)) >>> 0;
      if (Number.isNaN(sndMax[s]!) || seqDiff(end, sndMax[s]!) > 0) sndMax[s] = end;
      winZero[s] = p.win[i] === 0;
    }

    // (one string per pair of states, not one per packet: a long connection's parts are kept)
    const key = after[0]! * 256 + after[1]!;
    let states = stateTexts.get(key);
    if (states === undefined) {
      states = SAY.states(names[0], stateName(TCP_STATES[after[0]!]!), names[1], stateName(TCP_STATES[after[1]!]!));
      stateTexts.set(key, states);
    }
    const when = i === 0 ? SAY.first : SAY.since(humanDelta(p.ts[i]! - p.ts[i - 1]!));
    let causes = '';
    const extra = bits & ~INLINE;
    if (extra) {
      const parts: string[] = [];
      for (let k = 0; k < ANOMALIES.length; k++) {
        if (extra & (1 << k)) parts.push(SAY.anomalyCauses(ANOMALIES[k]!, ANOMALY_INFO[ANOMALIES[k]!].causes));
      }
      causes = parts.join('; ');
    }
    out.push({ say, states, when, causes });
  }
  return out;
}

/** TIME-WAIT or CLOSED: the side is done with the connection. */
function isClosedish(st: number): boolean {
  return st === ST.TIME_WAIT || st === ST.CLOSED;
}

/**
 * One line on what the end cost (impact.ts): the bytes each side had unacknowledged at the first
 * RST and the data after it, or, without a RST, what was unacknowledged when the capture ended.
 */
export function explainImpact(p: ConnPackets, opts: ExplainOptions = {}): string {
  const names = [clean(opts.origName ?? 'client'), clean(opts.respName ?? 'server')] as const;
  const im = impact(p);
  const counts = [im.unackedOrig, im.unackedResp] as const;
  if (im.rst < 0) {
    const parts = [0, 1].filter((s) => counts[s]! > 0).map((s) => SAY_IMPACT.noRstSide(names[s]!, counts[s]!));
    if (parts.length) return SAY_IMPACT.noRstUnacked(parts.join(' and '));
    return Number.isNaN(counts[0]) || Number.isNaN(counts[1]) ? SAY_IMPACT.noRstUnknown : SAY_IMPACT.noRstAllAcked;
  }
  const rstBy = names[p.mark[im.rst]! & MARK_RESP ? 1 : 0]!;
  const parts: string[] = [];
  for (const s of [0, 1]) {
    if (counts[s]! > 0) parts.push(SAY_IMPACT.unacked(names[s]!, counts[s]!, rstBy));
    else if (Number.isNaN(counts[s])) parts.push(SAY_IMPACT.unknown(names[s]!, names[1 - s]!));
  }
  if (im.afterRstBytes > 0) parts.push(SAY_IMPACT.afterRst(im.afterRstBytes));
  if (parts.length === 0) return SAY_IMPACT.allAcked(rstBy);
  return parts.join('; ') + (im.dataLost === LOST_YES ? SAY_IMPACT.lost : SAY_IMPACT.lostUnknown);
}
