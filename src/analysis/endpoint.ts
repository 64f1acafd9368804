/**
 * Per-side TCP state (RFC 9293 names) as a capture shows it, after every packet of one connection.
 *
 * The capture sits somewhere between the two endpoints, so it cannot see what each one received.
 * The model therefore assumes every captured packet reached the other side at the moment it was
 * captured (the usual reading of a capture, and Wireshark's), with one correction taken from the
 * packets themselves: a FIN whose ACK field does not cover the peer's FIN was sent before its
 * sender had seen that FIN, so the close is simultaneous (both sides go through CLOSING), even
 * though the capture shows the peer's FIN first.
 *
 * Retransmissions (a second SYN or FIN from the same side), keep-alives, window probes and
 * out-of-order segments never move a state: only the first SYN/FIN of a side, the first ACK that
 * covers a FIN, and RSTs do. A side nothing has been seen from yet is UNKNOWN (for a SYN that got
 * no answer the capture cannot tell LISTEN from a dead host); a side that sends something other
 * than a SYN without a handshake in the capture (midstream) is taken to be ESTABLISHED.
 */
import { ACK, FIN, MARK_RESP, RST, SYN, TCP_STATES } from '../model.js';
import type { ConnPackets } from './conn-packets.js';

/** Indices into TCP_STATES, as numbers for the Uint8Array columns. */
export const ST = {
  CLOSED: TCP_STATES.indexOf('CLOSED'),
  LISTEN: TCP_STATES.indexOf('LISTEN'),
  SYN_SENT: TCP_STATES.indexOf('SYN-SENT'),
  SYN_RECEIVED: TCP_STATES.indexOf('SYN-RECEIVED'),
  ESTABLISHED: TCP_STATES.indexOf('ESTABLISHED'),
  FIN_WAIT_1: TCP_STATES.indexOf('FIN-WAIT-1'),
  FIN_WAIT_2: TCP_STATES.indexOf('FIN-WAIT-2'),
  CLOSE_WAIT: TCP_STATES.indexOf('CLOSE-WAIT'),
  CLOSING: TCP_STATES.indexOf('CLOSING'),
  LAST_ACK: TCP_STATES.indexOf('LAST-ACK'),
  TIME_WAIT: TCP_STATES.indexOf('TIME-WAIT'),
  UNKNOWN: TCP_STATES.indexOf('UNKNOWN'),
} as const;

/** The running state of both sides (index 0 = originator, 1 = responder). One per walk, not per packet. */
export interface EndpointPair {
  st: Uint8Array;
  /** 1 once the side sent a FIN */
  finSent: Uint8Array;
  /** sequence number the side's FIN occupies (raw) */
  finSeq: Uint32Array;
  /** 1 once the other side acknowledged this side's FIN */
  finAcked: Uint8Array;
}

export function newEndpointPair(): EndpointPair {
  const p: EndpointPair = {
    st: new Uint8Array(2),
    finSent: new Uint8Array(2),
    finSeq: new Uint32Array(2),
    finAcked: new Uint8Array(2),
  };
  p.st[0] = ST.UNKNOWN;
  p.st[1] = ST.UNKNOWN;
  return p;
}

/** `a - b` on the 32-bit sequence circle, as a signed number. */
export const seqDiff = (a: number, b: number): number => (a - b) | 0;

/** Apply packet i of p to the pair. */
export function stepEndpoints(e: EndpointPair, p: ConnPackets, i: number): void {
  const s = (p.mark[i]! & MARK_RESP) !== 0 ? 1 : 0;
  const o = 1 - s;
  const f = p.flags[i]!;
  const st = e.st;

  if (f & RST) {
    // The sender forgets the connection; so does the receiver (an in-window RST closes every
    // state, TIME-WAIT included on Linux's default tcp_rfc1337=0). Windows are not checked:
    // blind out-of-window RSTs are rare in captures and would need the receiver's rcv_nxt.
    st[s] = ST.CLOSED;
    st[o] = ST.CLOSED;
    return;
  }

  if (f & SYN) {
    if (f & ACK) {
      const cur = st[s]!;
      if (cur === ST.UNKNOWN || cur === ST.CLOSED || cur === ST.LISTEN || cur === ST.SYN_SENT) st[s] = ST.SYN_RECEIVED;
      // the SYN-ACK reaches the opener, which moves to ESTABLISHED (and sends the third ACK)
      if (st[o] === ST.SYN_SENT || st[o] === ST.UNKNOWN) st[o] = ST.ESTABLISHED;
    } else {
      const cur = st[s]!;
      if (cur === ST.UNKNOWN || cur === ST.CLOSED) st[s] = ST.SYN_SENT;
      // a repeated SYN (retransmission) changes nothing; the receiver stays unknown until it answers
    }
  } else {
    if (st[s] === ST.UNKNOWN || st[s] === ST.SYN_SENT) st[s] = ST.ESTABLISHED; // midstream, or the third ACK
    // A non-SYN segment from s completes the receiver's handshake / shows it is in the connection.
    if (st[o] === ST.SYN_RECEIVED && f & ACK) st[o] = ST.ESTABLISHED;
    else if (st[o] === ST.UNKNOWN) st[o] = ST.ESTABLISHED;
  }

  // The ACK field: does it cover the receiver's FIN for the first time?
  if (f & ACK && e.finSent[o] && !e.finAcked[o] && seqDiff(p.ack[i]!, (e.finSeq[o]! + 1) >>> 0) >= 0) {
    e.finAcked[o] = 1;
    const c = st[o]!;
    if (c === ST.FIN_WAIT_1) st[o] = ST.FIN_WAIT_2;
    else if (c === ST.CLOSING) st[o] = ST.TIME_WAIT;
    else if (c === ST.LAST_ACK) st[o] = ST.CLOSED;
  }

  if (f & FIN && !e.finSent[s]) {
    e.finSent[s] = 1;
    e.finSeq[s] = (p.seq[i]! + p.len[i]! + (f & SYN ? 1 : 0)) >>> 0;
    if (st[s] === ST.CLOSED) return; // a FIN after a RST: the sender has no connection left to close
    const simultaneous = e.finSent[o] === 1 && e.finAcked[o] === 0;
    if (simultaneous) {
      // s sent its FIN before it had seen o's: both are in CLOSING until the ACKs cross
      st[s] = ST.CLOSING;
      if (st[o] === ST.FIN_WAIT_1 || st[o] === ST.CLOSE_WAIT) st[o] = ST.CLOSING;
      else if (st[o] === ST.FIN_WAIT_2) st[o] = ST.TIME_WAIT;
    } else {
      st[s] = st[s] === ST.CLOSE_WAIT ? ST.LAST_ACK : ST.FIN_WAIT_1;
      const c = st[o]!;
      if (c === ST.FIN_WAIT_1) st[o] = ST.CLOSING;
      else if (c === ST.FIN_WAIT_2) st[o] = ST.TIME_WAIT;
      else if (c !== ST.CLOSED && c !== ST.TIME_WAIT && c !== ST.CLOSING && c !== ST.LAST_ACK) st[o] = ST.CLOSE_WAIT;
    }
  }
}

/** Each side's state (index into TCP_STATES) after every packet. */
export function trackStates(p: ConnPackets): { orig: Uint8Array; resp: Uint8Array } {
  const orig = new Uint8Array(p.n);
  const resp = new Uint8Array(p.n);
  const e = newEndpointPair();
  for (let i = 0; i < p.n; i++) {
    stepEndpoints(e, p, i);
    orig[i] = e.st[0]!;
    resp[i] = e.st[1]!;
  }
  return { orig, resp };
}

/**
 * Relative sequence and acknowledgment numbers for display. Each side's base is its ISN (the SYN's
 * seq) when the capture has its SYN, else the first seq it sent; a side never seen sending gets
 * the first ACK the other side sent to it, minus one (so that ACK shows as 1, as after a SYN).
 * `ack` is 0 where the packet has no ACK flag (the field is meaningless there).
 */
export function relSeq(p: ConnPackets): { seq: Uint32Array; ack: Uint32Array } {
  const base = new Uint32Array(2);
  const have = new Uint8Array(2); // 2 = from a SYN, 1 = from another packet, 0 = none yet
  for (let i = 0; i < p.n; i++) {
    const s = (p.mark[i]! & MARK_RESP) !== 0 ? 1 : 0;
    if (p.flags[i]! & SYN) {
      if (have[s]! < 2) { base[s] = p.seq[i]!; have[s] = 2; }
    } else if (have[s] === 0 && !(p.flags[i]! & RST && p.seq[i] === 0)) {
      base[s] = p.seq[i]!;
      have[s] = 1;
    }
  }
  for (let i = 0; i < p.n && (have[0] === 0 || have[1] === 0); i++) {
    const s = (p.mark[i]! & MARK_RESP) !== 0 ? 1 : 0;
    const o = 1 - s;
    if (have[o] === 0 && p.flags[i]! & ACK) { base[o] = (p.ack[i]! - 1) >>> 0; have[o] = 1; }
  }
  const seq = new Uint32Array(p.n);
  const ack = new Uint32Array(p.n);
  for (let i = 0; i < p.n; i++) {
    const s = (p.mark[i]! & MARK_RESP) !== 0 ? 1 : 0;
    seq[i] = (p.seq[i]! - base[s]!) >>> 0;
    ack[i] = p.flags[i]! & ACK ? (p.ack[i]! - base[1 - s]!) >>> 0 : 0;
  }
  return { seq, ack };
}
