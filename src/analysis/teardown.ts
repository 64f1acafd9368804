/**
 * Teardown verdict of one connection: class, who closed, anomalies (bit mask + the packets that
 * show them) and the TLS close per side. The rules, and why they are what they are, are written
 * down in glossary.ts (RULES); this file implements them in one O(n) pass.
 *
 * Runs over every connection of multi-million-packet captures: the per-side scratch lives in
 * module-level typed arrays (the walk is synchronous, so one set is enough), and the only
 * allocations per call are the verdict itself and evidence arrays for anomalies that fire.
 */
import { ACK, ANOMALIES, FIN, MARK_RESP, MARK_TLS, MARK_TLS_ALERT, MARK_TLS_UNKNOWN, RST, SYN } from '../model.js';
import type { Anomaly, ClosedBy, Teardown } from '../model.js';
import type { ConnPackets } from './conn-packets.js';

export type TlsClose = 'close-notify' | 'none' | 'unknown' | 'n/a';

export interface Verdict {
  teardown: Teardown;
  closedBy: ClosedBy;
  /** bit i = ANOMALIES[i] */
  anomalies: number;
  /** packet indices (within the ConnPackets) that show each anomaly, at most EVIDENCE_CAP each */
  evidence: Partial<Record<Anomaly, number[]>>;
  tls: { orig: TlsClose; resp: TlsClose };
}

export interface ClassifyOptions {
  /** a later connection re-used this connection's 4-tuple with a new SYN (the ingest knows; ConnTable.reused) */
  reused?: boolean;
  /**
   * Collect evidence (default true). Pass false where only class, closed_by and the anomaly
   * mask are kept (the per-connection pass of a large capture): no allocation but the verdict.
   */
  evidence?: boolean;
}

export const EVIDENCE_CAP = 16;

const bit = (a: Anomaly): number => 1 << ANOMALIES.indexOf(a);
export const A_RST_AFTER_FIN = bit('rst-after-fin');
export const A_LATE_RST = bit('late-rst');
export const A_DATA_AFTER_FIN = bit('data-after-fin');
export const A_DATA_AFTER_RST = bit('data-after-rst');
export const A_NO_CLOSE_NOTIFY = bit('no-close-notify');
export const A_MIDSTREAM = bit('midstream');
export const A_PORT_REUSE = bit('port-reuse');
export const A_RETRANSMISSION = bit('retransmission');
export const A_ZERO_WINDOW = bit('zero-window');

// Per-side scratch: one Int32Array, field F of side s at F + s (0 = originator, 1 = responder).
// One array reset with one `set` per call: cheaper than a dozen small arrays (this runs per
// connection over millions of them). Sequence numbers are kept as int32 (`| 0`); every comparison
// goes through `diff`, which works the same on that representation.
let nf = 0;
const field = (): number => (nf += 2) - 2;
const SENT = field(); // side sent anything
const FIRST = field(); // index of its first packet
const LAST = field(); // index of its latest packet so far
const SYNSEEN = field();
const SYNACK = field(); // sent a SYN with ACK
const ACKSENT = field(); // sent a non-SYN, non-RST packet with ACK (past the SYN stage)
const SNDOK = field();
const SNDMAX = field(); // highest sequence number sent + 1
const HOLEOK = field(); // one not-yet-seen range [HOLES, HOLEE) below SNDMAX
const HOLES = field();
const HOLEE = field();
const FINIDX = field();
const FINSEQ = field(); // sequence number the FIN occupies
const FINACK = field(); // index of the packet that first acknowledged this side's FIN
const RSTIDX = field();
const WINZERO = field(); // the last window this side advertised was 0
const ALERT = field(); // sent an alert-marked packet before closing
const CLOSE = field(); // index of its first FIN or RST
const LASTUNK = field(); // its last payload before closing was MARK_TLS_UNKNOWN
const S = new Int32Array(nf);
const INIT = new Int32Array(nf);
for (const f of [FIRST, LAST, FINIDX, FINACK, RSTIDX, CLOSE]) INIT[f] = INIT[f + 1] = -1;

const diff = (a: number, b: number): number => (a - b) | 0;

// The walk's outputs, module-level so that noting an anomaly needs no closure per call.
let gMask = 0;
let gEvidence: Partial<Record<Anomaly, number[]>> | undefined;
let gPer: Uint16Array | undefined;
let gWant = true;

function note(a: number, name: Anomaly, i: number): void {
  gMask |= a;
  if (gPer) gPer[i] = gPer[i]! | a;
  if (!gWant) return;
  gEvidence ??= {};
  const list = (gEvidence[name] ??= []);
  if (list.length < EVIDENCE_CAP && list[list.length - 1] !== i) list.push(i);
}

function tlsSide(s: number, tlsSeen: boolean, tlsUnknownSeen: boolean): TlsClose {
  if (!tlsSeen) return tlsUnknownSeen && S[CLOSE + s]! >= 0 ? 'unknown' : 'n/a';
  if (S[ALERT + s]) return 'close-notify';
  if (S[CLOSE + s]! < 0) return 'n/a';
  return S[LASTUNK + s] ? 'unknown' : 'none';
}

/**
 * The walk behind classify and packetAnomalies. `perPacket`, when given, receives every anomaly
 * bit at every packet that shows it (no cap): explain uses it. Returns the verdict.
 */
function walk(p: ConnPackets, opts: ClassifyOptions, perPacket: Uint16Array | undefined): Verdict {
  S.set(INIT);
  gMask = 0;
  gEvidence = undefined;
  gPer = perPacket;
  gWant = opts.evidence !== false;

  let firstRst = -1;
  // The first RST came after the close had completed (both FINs acknowledged) and after a packet
  // the peer sent once it had completed: it answers a stray segment, the close itself was graceful.
  let rstAnswersStray = false;
  let simultaneous = false;
  let tlsSeen = false;
  let tlsUnknownSeen = false;
  let firstFinSide = -1;

  const { n, flags, seq, ack, len, win, mark } = p;
  for (let i = 0; i < n; i++) {
    const s = (mark[i]! & MARK_RESP) !== 0 ? 1 : 0;
    const o = 1 - s;
    const f = flags[i]!;
    const l = len[i]!;
    const sq = seq[i]!;
    const m = mark[i]!;
    if (!S[SENT + s]) { S[SENT + s] = 1; S[FIRST + s] = i; }
    S[LAST + s] = i;
    if (m & MARK_TLS) tlsSeen = true;
    if (m & MARK_TLS_UNKNOWN) tlsUnknownSeen = true;

    if (f & RST) {
      if (S[RSTIDX + s]! < 0) S[RSTIDX + s] = i;
      if (firstRst < 0) {
        firstRst = i;
        if (S[FINACK]! >= 0 && S[FINACK + 1]! >= 0) rstAnswersStray = S[LAST + o]! > Math.max(S[FINACK]!, S[FINACK + 1]!);
      }
      if (S[FINIDX + s]! >= 0) note(A_RST_AFTER_FIN, 'rst-after-fin', i);
      if (S[FINIDX]! >= 0 && S[FINIDX + 1]! >= 0) note(A_LATE_RST, 'late-rst', i);
      if (S[CLOSE + s]! < 0) S[CLOSE + s] = i;
      // A RST's sequence number and ACK field say nothing about delivered data: no further checks.
      continue;
    }

    if (f & SYN) {
      S[SYNSEEN + s] = 1;
      if (f & ACK) S[SYNACK + s] = 1;
    } else if (f & ACK) S[ACKSENT + s] = 1;

    // --- payload facts (before this packet's own FIN is recorded) ---
    if (l > 0) {
      if (firstRst >= 0) note(A_DATA_AFTER_RST, 'data-after-rst', i);
      if (S[FINIDX + s]! >= 0 && diff((sq + l) >>> 0, S[FINSEQ + s]!) > 0) note(A_DATA_AFTER_FIN, 'data-after-fin', i);
      if (S[CLOSE + s]! < 0) S[LASTUNK + s] = m & MARK_TLS_UNKNOWN ? 1 : 0;
    }
    if (m & MARK_TLS_ALERT && S[CLOSE + s]! < 0) S[ALERT + s] = 1;

    // --- retransmission: sequence space already seen from this side ---
    const consumes = l + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0);
    const end = (sq + consumes) | 0;
    if (!S[SNDOK + s]) {
      S[SNDOK + s] = 1;
      S[SNDMAX + s] = end;
    } else {
      const d = diff(sq, S[SNDMAX + s]!);
      if (d < 0) {
        if (consumes > 0) {
          const plain = (f & (SYN | FIN)) === 0 && l <= 1;
          // keep-alive: 0 or 1 byte at snd_nxt-1; zero-window probe: <=1 byte while the peer's window is 0
          const keepalive = plain && diff((sq + 1) >>> 0, S[SNDMAX + s]!) === 0;
          const zwp = plain && S[WINZERO + o] === 1;
          const inHole = S[HOLEOK + s] === 1 && diff(sq, S[HOLES + s]!) >= 0 && diff(S[HOLEE + s]!, sq) > 0;
          if (inHole) {
            // out of order: this range was never seen before; shrink the hole from the front
            if (diff(end, S[HOLES + s]!) > 0 && diff(sq, S[HOLES + s]!) === 0) S[HOLES + s] = end;
            if (diff(S[HOLEE + s]!, S[HOLES + s]!) <= 0) S[HOLEOK + s] = 0;
          } else if (!keepalive && !zwp) note(A_RETRANSMISSION, 'retransmission', i);
        }
      } else if (d > 0) {
        // a gap: bytes the capture has not seen (yet); a later segment there is out of order
        S[HOLEOK + s] = 1;
        S[HOLES + s] = S[SNDMAX + s]!;
        S[HOLEE + s] = sq;
      }
      if (diff(end, S[SNDMAX + s]!) > 0) S[SNDMAX + s] = end;
    }

    // --- windows ---
    S[WINZERO + s] = win[i] === 0 ? 1 : 0;
    if (win[i] === 0) note(A_ZERO_WINDOW, 'zero-window', i);

    // --- the ACK field: first acknowledgment of the peer's FIN ---
    if (f & ACK && S[FINIDX + o]! >= 0 && S[FINACK + o]! < 0 && diff(ack[i]!, (S[FINSEQ + o]! + 1) >>> 0) >= 0) S[FINACK + o] = i;

    // --- FIN ---
    if (f & FIN && S[FINIDX + s]! < 0) {
      S[FINIDX + s] = i;
      S[FINSEQ + s] = (sq + l + (f & SYN ? 1 : 0)) >>> 0;
      if (firstFinSide < 0) firstFinSide = s;
      // simultaneous close: this FIN was sent before its sender acknowledged the peer's FIN
      else if (S[FINACK + o]! < 0) simultaneous = true;
      if (S[CLOSE + s]! < 0) S[CLOSE + s] = i;
    }
  }

  // --- class (precedence as in glossary RULES) ---
  let teardown: Teardown;
  const anyFin = S[FINIDX]! >= 0 || S[FINIDX + 1]! >= 0;
  const bothFin = S[FINIDX]! >= 0 && S[FINIDX + 1]! >= 0;
  if (S[SYNSEEN] && !S[SENT + 1] && !S[ACKSENT] && S[FINIDX]! < 0) teardown = 'unanswered';
  else if (S[SYNSEEN] && !S[SYNACK + 1] && S[RSTIDX + 1]! >= 0 && S[FIRST + 1] === S[RSTIDX + 1] && S[FIRST]! < S[RSTIDX + 1]!) teardown = 'rejected';
  else if (firstRst >= 0) {
    const rs = (mark[firstRst]! & MARK_RESP) !== 0 ? 1 : 0;
    if (bothFin && rstAnswersStray) teardown = 'graceful';
    else if (S[FINIDX + rs]! >= 0 && S[FINIDX + rs]! < firstRst) teardown = 'fin-then-rst';
    else teardown = 'abort';
  } else if (bothFin) teardown = 'graceful';
  else if (anyFin) teardown = 'half-closed';
  else teardown = 'open';

  let closedBy: ClosedBy = 'none';
  if (firstFinSide >= 0) closedBy = simultaneous ? 'both' : firstFinSide === 0 ? 'orig' : 'resp';
  else if (firstRst >= 0) closedBy = mark[firstRst]! & MARK_RESP ? 'resp' : 'orig';

  // --- connection-level anomalies ---
  if (n > 0 && !S[SYNSEEN] && !S[SYNSEEN + 1]) note(A_MIDSTREAM, 'midstream', 0);
  // the new SYN belongs to the next connection: here the last packet is the one it follows
  if (opts.reused && n > 0) note(A_PORT_REUSE, 'port-reuse', n - 1);

  // --- TLS close per side ---
  const tls = { orig: tlsSide(0, tlsSeen, tlsUnknownSeen), resp: tlsSide(1, tlsSeen, tlsUnknownSeen) };
  if (tls.orig === 'none') note(A_NO_CLOSE_NOTIFY, 'no-close-notify', S[CLOSE]!);
  if (tls.resp === 'none') note(A_NO_CLOSE_NOTIFY, 'no-close-notify', S[CLOSE + 1]!);
  // (TypeScript narrows the module variable to its reset value; note() has set it since)
  const evidence = gEvidence as Partial<Record<Anomaly, number[]>> | undefined;
  evidence?.['no-close-notify']?.sort((a, b) => a - b);

  const verdict: Verdict = { teardown, closedBy, anomalies: gMask, evidence: evidence ?? {}, tls };
  gEvidence = undefined;
  gPer = undefined;
  return verdict;
}

/** The verdict of one connection. */
export function classify(p: ConnPackets, opts: ClassifyOptions = {}): Verdict {
  return walk(p, opts, undefined);
}

/** Every anomaly bit at every packet that shows it (uncapped), for explanations. */
export function packetAnomalies(p: ConnPackets, opts: ClassifyOptions = {}): Uint16Array {
  const per = new Uint16Array(p.n);
  walk(p, opts, per);
  return per;
}
