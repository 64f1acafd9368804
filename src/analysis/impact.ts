/**
 * What the end of a connection cost: the payload bytes each side had sent that its peer had not
 * acknowledged when the first RST ended the connection (or when the capture ended, without a RST),
 * and whether data was lost. This tells "FIN+RST, but every byte was acknowledged" (harmless)
 * from "RST while the peer still had data in flight" (a user saw an error).
 *
 * From sequence and acknowledgement numbers alone, at one vantage (the packets given), in one
 * O(n) pass with no allocation when `out` is given (the bulk pass over every connection):
 *
 * - a side's data reaches the highest seq + len of its payload packets (a SYN's own sequence
 *   number skipped, a FIN's not counted: neither is data). Retransmissions and out-of-order
 *   segments do not add to it: it is a maximum, compared modulo 2^32 (sequence numbers wrap);
 * - the peer's acknowledgement is the highest ACK field of its non-RST packets. A RST's ACK field
 *   is not read: a stack answering a segment of a connection it no longer has may acknowledge the
 *   very data it refuses (RFC 9293 3.10.7.1), so it says nothing of delivery;
 * - unacked = data end - peer's highest ACK (0 when the ACK covers it), counted over the packets
 *   before the first RST. A side that sent no payload here has 0. A side whose data no ACK of the
 *   peer's covers because the capture holds none (one direction only, or the peer's packets before
 *   the RST all missed) is unknown (NaN): the count is not guessed.
 * - data lost: yes when a RST came and either side had bytes unacknowledged at it, or a packet
 *   after the first RST carried payload (from either side: the receiver drops it); no when no RST
 *   came (the capture may simply have ended) or when, at the RST, both sides were known to have
 *   had everything acknowledged; unknown otherwise.
 *
 * Acknowledged is not read: bytes a side's TCP acknowledged and its application never read (a
 * close with unread data, which itself sends a RST) are lost to that application without a trace
 * in the sequence numbers.
 */
import { ACK, MARK_RESP, RST, SYN } from '../model.js';
import type { ConnPackets } from './conn-packets.js';

/** dataLost values (as the connection table stores them) */
export const LOST_NO = 0;
export const LOST_YES = 1;
export const LOST_UNKNOWN = 2;

export interface Impact {
  /** payload bytes the originator had sent and the responder had not acknowledged (NaN: unknown) */
  unackedOrig: number;
  /** the same for the responder's data */
  unackedResp: number;
  /** LOST_NO, LOST_YES or LOST_UNKNOWN */
  dataLost: number;
  /** index of the first RST, -1 when none: the moment the counts are taken (else the end) */
  rst: number;
  /** payload bytes on packets after the first RST, both sides (retransmissions counted again) */
  afterRstBytes: number;
  /** index of the first such packet, -1 when none */
  afterRst: number;
}

export const newImpact = (): Impact => ({ unackedOrig: NaN, unackedResp: NaN, dataLost: LOST_UNKNOWN, rst: -1, afterRstBytes: 0, afterRst: -1 });

/** An impact for a connection with no packets (a firewall log's): every figure unknown. */
export function unknownImpact(out: Impact = newImpact()): Impact {
  out.unackedOrig = NaN;
  out.unackedResp = NaN;
  out.dataLost = LOST_UNKNOWN;
  out.rst = -1;
  out.afterRstBytes = 0;
  out.afterRst = -1;
  return out;
}

const diff = (a: number, b: number): number => (a - b) | 0;

/** Unacknowledged bytes of a side: data end `end` (none: `sent` false), peer's highest ACK `ack` (none: `acked` false). */
function unacked(sent: boolean, end: number, acked: boolean, ack: number): number {
  if (!sent) return 0;
  if (!acked) return NaN;
  const d = diff(end, ack);
  return d > 0 ? d : 0;
}

/** The impact of one connection's packets (at one vantage). Writes into `out` when given. */
export function impact(p: ConnPackets, out: Impact = newImpact()): Impact {
  const { n, flags, seq, ack, len, mark } = p;
  // per side (o: originator, r: responder): payload seen and its end; ACK seen and its highest value
  let sentO = false, sentR = false, endO = 0, endR = 0;
  let ackedO = false, ackedR = false, ackO = 0, ackR = 0;
  let rst = -1, afterRst = -1, afterBytes = 0;
  let i = 0;
  for (; i < n; i++) {
    const f = flags[i]!;
    if (f & RST) {
      rst = i;
      break;
    }
    const resp = (mark[i]! & MARK_RESP) !== 0;
    const l = len[i]!;
    if (l > 0) {
      const e = (seq[i]! + l + (f & SYN ? 1 : 0)) | 0;
      if (resp) {
        if (!sentR || diff(e, endR) > 0) endR = e;
        sentR = true;
      } else {
        if (!sentO || diff(e, endO) > 0) endO = e;
        sentO = true;
      }
    }
    if (f & ACK) {
      const a = ack[i]! | 0;
      if (resp) {
        if (!ackedR || diff(a, ackR) > 0) ackR = a;
        ackedR = true;
      } else {
        if (!ackedO || diff(a, ackO) > 0) ackO = a;
        ackedO = true;
      }
    }
  }
  // payload after the first RST (RSTs' own payload is a diagnostic text, not data)
  for (i++; i < n; i++) {
    const l = len[i]!;
    if (l > 0 && !(flags[i]! & RST)) {
      if (afterRst < 0) afterRst = i;
      afterBytes += l;
    }
  }
  const uo = unacked(sentO, endO, ackedR, ackR);
  const ur = unacked(sentR, endR, ackedO, ackO);
  out.unackedOrig = uo;
  out.unackedResp = ur;
  out.rst = rst;
  out.afterRst = afterRst;
  out.afterRstBytes = afterBytes;
  if (rst < 0) out.dataLost = LOST_NO;
  else if (afterRst >= 0 || uo > 0 || ur > 0) out.dataLost = LOST_YES;
  else out.dataLost = uo === 0 && ur === 0 ? LOST_NO : LOST_UNKNOWN;
  return out;
}
