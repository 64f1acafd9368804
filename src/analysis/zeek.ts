/**
 * Zeek-compatible `conn_state`, `history` and `orig_bytes`/`resp_bytes` for one TCP connection, computed
 * by replaying its packets through Zeek's per-endpoint state machine. Sources (zeek/zeek, read, not copied):
 *  - src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc: Process, init_endpoint, get_relative_seq,
 *    update_history, update_window, init_peer, update_ack_seq, update_last_seq, UpdateStateMachine and
 *    its Update*State helpers, SetPartialStatus;
 *  - src/analyzer/protocol/tcp/TCP_Endpoint.{h,cc}: SetState, Size, NoDataAcked, DidRxmit, ZeroWindow, Gap;
 *  - src/Conn.{h,cc}: CheckHistory, AddHistory, ScaledHistoryEntry (base 10), FlipRoles (adds `^`);
 *  - src/analyzer/protocol/tcp/TCP_Reassembler.cc: AckReceived, Undelivered, Gap (see zeek-endpoint.ts);
 *  - scripts/base/protocols/conn/main.zeek: conn_state().
 *
 * Letters rsttui emits and why:
 *  - never `c`: rsttui does not verify checksums (like `zeek -C`; captures on a sending host carry
 *    offloaded, wrong checksums), so Zeek's ValidateChecksum/ChecksumError path never fires;
 *  - `g`: emitted, from a reduced reassembler (one out-of-order run per direction; see zeek-endpoint.ts).
 *    Like Zeek, payload cut by snaplen (MARK_CUT) never reaches the reassembler, so an ack over it is a gap;
 *  - `t`: Zeek's update_last_seq rule: a packet with payload whose end (seq+len, plus SYN/FIN octets,
 *    minus payload on RST) does not pass the highest end seen from that side, unless the side is RESET;
 *  - `w`: Zeek's update_window rule: window 0 on a non-RST packet while the peer has not sent a FIN
 *    (peer not CLOSED) and the sender has not sent a RST (sender not RESET). SYNs count, too;
 *  - `x` is never emitted (no analysis limits here).
 * Assumption: reassembly is on from the first packet (Zeek's default dpd_reassemble_first_packets=T).
 *
 * Connection splitting is the ingest's job: real Zeek starts a new connection when a SYN arrives whose
 * sequence number differs from the originator's first one (TCPSessionAdapter::IsReuse). Replayed within
 * one ConnPackets, such a SYN re-bases the endpoint (init_endpoint), so its relative seq is 0 again and
 * `S` is not repeated.
 */
import * as M from '../model.js';
import type { ConnState } from '../model.js';
import type { ConnPackets } from './conn-packets.js';
import * as E from './zeek-endpoint.js';
import { ZeekEndpoint, type HistorySink } from './zeek-endpoint.js';

// Module-local copies: the hot loop must not go through imported bindings, which CommonJS interop (e.g. tsx
// running a script outside a "type": "module" package) turns into getter calls, ~10x the replay's cost.
const SYN = M.SYN;
const FIN = M.FIN;
const RST = M.RST;
const ACK = M.ACK;
const MARK_RESP = M.MARK_RESP;
const MARK_CUT = M.MARK_CUT;
const INACTIVE = E.INACTIVE;
const SYN_SENT = E.SYN_SENT;
const SYN_ACK_SENT = E.SYN_ACK_SENT;
const PARTIAL = E.PARTIAL;
const ESTABLISHED = E.ESTABLISHED;
const CLOSED = E.CLOSED;
const RESET = E.RESET;
const seqDelta = (a: number, b: number): number => (a - b) | 0;

export interface ZeekConn {
  state: ConnState;
  history: string;
  /** Zeek's orig$size / resp$size (Zeek only logs them when duration > 0; we always return them). */
  origBytes: number;
  respBytes: number;
  /**
   * Zeek swapped roles during the connection (a SYN seen after the other side's SYN-ACK: `^` in the
   * middle of the history). Then Zeek's originator is the MARK_RESP side, and state/bytes use Zeek's roles.
   */
  rolesSwapped: boolean;
}

const TOO_LARGE_SEQ_DELTA = 1048576;

// Connection::CheckHistory masks (TCP_Endpoint.h); the responder's are shifted left by 16.
const HIST_SYN = 0x1;
const HIST_FIN = 0x2;
const HIST_RST = 0x4;
const HIST_FIN_RST = 0x8;
const HIST_DATA = 0x10;
const HIST_ACK = 0x20;
const HIST_MULTI = 0x40;

/** Per-call connection state, reused so a replay allocates only its history string. */
class Replay implements HistorySink {
  history = '';
  histSeen = 0;
  isPartial = false;
  firstSeen = 0; // bit 1: a packet from Zeek's orig seen, bit 2: from resp (CheckPIA_FirstPacket)
  swapped = false;
  readonly a = new ZeekEndpoint(); // the MARK_RESP-clear side
  readonly b = new ZeekEndpoint(); // the MARK_RESP side

  add(code: string): void {
    this.history += code;
  }

  /**
   * Connection::CheckHistory through TCP_Endpoint::CheckHistory: true if already seen. The letter is
   * passed in both cases so that no string is built per packet.
   */
  check(ep: ZeekEndpoint, mask: number, upper: string, lower: string): boolean {
    if (!ep.isOrig) mask <<= 16;
    if ((this.histSeen & mask) === 0) {
      this.histSeen |= mask;
      this.history += ep.isOrig ? upper : lower;
      return false;
    }
    return true;
  }

  /** Connection::FlipRoles: endpoints keep their hosts, roles swap, `^` goes into the history. */
  flip(): void {
    this.a.isOrig = !this.a.isOrig;
    this.b.isOrig = !this.b.isOrig;
    this.swapped = !this.swapped;
    this.history += '^';
  }
}

const R = new Replay();

/** Replay one connection the way Zeek's TCP analyzer would and report what Zeek would log. */
export function zeekConn(p: ConnPackets): ZeekConn {
  const r = R;
  r.history = p.flipped ? '^' : ''; // Connection::FlipRoles at NewConn runs before any packet
  r.histSeen = 0;
  r.isPartial = false;
  r.firstSeen = 0;
  r.swapped = false;
  // (reversed: the ingest already gave the roles Zeek ends with; Zeek started the other way round)
  const rev = p.reversed === true;
  r.a.reset(!rev, r.b);
  r.b.reset(rev, r.a);
  for (let i = 0; i < p.n; i++) packet(r, p.mark[i]! & MARK_RESP ? r.b : r.a, p, i);
  const orig = r.a.isOrig ? r.a : r.b;
  const resp = r.a.isOrig ? r.b : r.a;
  const origBytes = orig.size();
  const respBytes = resp.size();
  return {
    state: connState(orig.state, resp.state, origBytes, respBytes, r.history),
    history: r.history,
    origBytes,
    respBytes,
    rolesSwapped: !r.a.isOrig,
  };
}

/** TCPSessionAdapter::Process for packet i, minus events, weirds and timers (by index: not inlined, numbers passed would be boxed). */
function packet(r: Replay, ep: ZeekEndpoint, p: ConnPackets, i: number): void {
  const flags = p.flags[i]!, seq = p.seq[i]!, ack = p.ack[i]!, len = p.len[i]!, win = p.win[i]!;
  const cut = (p.mark[i]! & MARK_CUT) !== 0;
  const peer = ep.peer;
  const isOrig = ep.isOrig;
  const syn = (flags & SYN) !== 0;
  const fin = (flags & FIN) !== 0;
  const rst = (flags & RST) !== 0;
  const hasAck = (flags & ACK) !== 0;

  // SetPartialStatus
  if (isOrig) {
    if (!(r.firstSeen & 1)) r.isPartial = !syn || hasAck;
  } else if (!(r.firstSeen & 2) && !r.isPartial) r.isPartial = !syn;

  // get_segment_len: SYN and FIN take an octet each; a RST's payload is not stream data
  let segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
  if (rst) segLen -= len;
  const onePast = (seq + segLen) >>> 0;

  // init_endpoint
  switch (ep.state) {
    case INACTIVE:
      if (syn) ep.initSeqs(seq, onePast);
      else ep.initSeqs(seq - 1, seq); // partial: pretend a SYN came just before, first packet not a dup
      break;
    case SYN_SENT:
    case SYN_ACK_SENT:
      if (syn && seq !== ep.start) ep.initSeqs(seq, onePast); // SYN_seq_jump
      break;
    case ESTABLISHED:
    case PARTIAL:
      if (syn) ep.initSeqs(seq, onePast); // guess: this SYN is the one that really sets it up
      break;
    case RESET:
      if (syn && ep.prevState === INACTIVE) ep.initSeqs(seq, onePast); // earlier RST may be spoofed
      break;
  }

  // get_relative_seq
  const relSeq = relative(ep, seq, ep.lastSeq, ep.seqWraps);
  const underflow = relSeq < 0; // TCP_seq_underflow_or_misorder: before the start Zeek numbered from

  // update_history
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) r.check(ep, HIST_FIN_RST, 'I', 'i');
    else r.check(ep, HIST_MULTI, 'Q', 'q');
  } else if (bits === 1) {
    if (syn) {
      const up = hasAck ? 'H' : 'S';
      const low = hasAck ? 'h' : 's';
      if (r.check(ep, HIST_SYN, up, low) && relSeq !== ep.histLastSyn) r.add(isOrig ? up : low);
      ep.histLastSyn = relSeq;
    }
    if (fin) {
      // a FIN's sequence number is the octet after its payload
      if (r.check(ep, HIST_FIN, 'F', 'f') && relSeq + len !== ep.histLastFin) r.add(isOrig ? 'F' : 'f');
      ep.histLastFin = relSeq + len;
    }
    if (rst) {
      if (r.check(ep, HIST_RST, 'R', 'r') && relSeq !== ep.histLastRst) r.add(isOrig ? 'R' : 'r');
      ep.histLastRst = relSeq;
    }
  } else if (len) r.check(ep, HIST_DATA, 'D', 'd');
  else if (hasAck) r.check(ep, HIST_ACK, 'A', 'a');

  // update_window: only the zero-window part matters here (window scaling cannot make 0 non-zero)
  if (win === 0 && !rst && peer.state !== CLOSED && ep.state !== RESET) ep.zeroWindow(r);

  if (fin) {
    ++ep.finCnt;
    ep.finSeq = relSeq + segLen;
  }
  if (rst) ++ep.rstCnt;

  let relAck = 0;
  if (hasAck) {
    if (peer.state === INACTIVE) {
      relAck = 1;
      peer.initSeqs(ack - 1, ack - 1); // init_peer: number the peer as if its SYN was acked
    } else {
      relAck = relative(peer, ack, peer.ackSeq, peer.ackWraps);
      if (relAck < 0) relAck = 0; // TCP_ack_underflow_or_misorder
      else if (!rst) {
        // update_ack_seq; RST acks are not trusted
        const d = seqDelta(ack, peer.ackSeq);
        if (!(ack === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) peer.updateAckSeq(ack);
      }
    }
  }

  // update_last_seq
  const deltaLast = seqDelta(onePast, ep.lastSeq);
  if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
    // outlandish SYN/RST sequence numbers are not trusted
  } else if (fin && ep.lastSeq === ((ep.start + 1) >>> 0)) ep.updateLastSeq(onePast);
  else if (ep.state === RESET) {
    // nothing after a RST is trusted
  } else if (deltaLast > 0) ep.updateLastSeq(onePast);
  else if (len > 0) ep.didRxmit(r);

  stateMachine(r, ep, peer, isOrig, flags, seq === ep.start, len);

  if (hasAck) peer.ackReceived(relAck, r.isPartial, r);

  // DataSent: payload goes to the reassembler unless cut by snaplen, on a RST, or below the start
  if (len > 0 && !cut && !rst && !underflow) ep.dataSent(syn ? relSeq + 1 : relSeq, len);

  r.firstSeen |= isOrig ? 1 : 2; // CheckPIA_FirstPacket, by the role the packet had when it came in
}

/**
 * get_relative_seq: with no wraps, the int32 distance from the start (negative = Zeek's underflow);
 * otherwise the 64-bit distance.
 */
function relative(ep: ZeekEndpoint, cur: number, last: number, wraps: number): number {
  const d = seqDelta(cur, last);
  if (d < 0) {
    if (wraps && cur > last) --wraps; // part of the previous 32-bit space
  } else if (d > 0) {
    if (cur < last) ++wraps; // the space wrapped
  }
  if (wraps === 0) return seqDelta(cur, ep.start);
  return wraps * 4294967296 + cur - ep.start;
}

/** UpdateStateMachine with UpdateInactiveState / ... (`atStart`: the packet's seq is ep.start; not the number, see packet). */
function stateMachine(r: Replay, ep: ZeekEndpoint, peer: ZeekEndpoint, isOrig: boolean, flags: number, atStart: boolean,
  len: number): void {
  const syn = (flags & SYN) !== 0;
  const fin = (flags & FIN) !== 0;
  const rst = (flags & RST) !== 0;
  const hasAck = (flags & ACK) !== 0;
  switch (ep.state) {
    case INACTIVE: {
      if (syn) {
        if (isOrig) ep.setState(hasAck ? SYN_ACK_SENT : SYN_SENT);
        else {
          if (!hasAck && peer.state === SYN_ACK_SENT && atStart) {
            // SYN/SYN-ACK reversal (e.g. two capture interfaces): flip and establish
            r.isPartial = false;
            r.flip();
            peer.setState(ESTABLISHED);
          }
          if (peer.state === SYN_SENT) peer.setState(ESTABLISHED);
          ep.setState(ESTABLISHED);
        }
      }
      if (fin) ep.setState(CLOSED);
      if (rst) ep.setState(RESET);
      if (ep.state === INACTIVE) {
        const orig = r.a.isOrig ? r.a : r.b;
        if (!isOrig && len === 0 && orig.state === SYN_SENT) {
          // an ack of the SYN before the SYN-ACK: not a partial connection
        } else if (hasAck && peer.state === ESTABLISHED) {
          ep.setState(ESTABLISHED); // we saw the SYN-ACK but missed the SYN
          r.isPartial = false;
        } else ep.setState(PARTIAL);
      }
      break;
    }
    case SYN_SENT:
    case SYN_ACK_SENT:
      if (fin) ep.setState(CLOSED);
      if (rst) ep.setState(RESET);
      break;
    case ESTABLISHED:
    case PARTIAL:
      if (syn && ep.state === PARTIAL && peer.state === INACTIVE && !hasAck) ep.setState(SYN_SENT);
      if (fin && !rst) {
        ep.setState(CLOSED);
        // FIN then RST from the peer was a normal close after all
        if (peer.state === RESET && peer.prevState === CLOSED) peer.setState(CLOSED);
      }
      if (rst) ep.setState(RESET);
      break;
    case CLOSED:
      // after a FIN exchange a RST does not change the state
      if (rst && peer.state !== CLOSED) ep.setState(RESET);
      break;
    case RESET:
      break;
  }
}

// Zeek's conn_state() (scripts/base/protocols/conn/main.zeek): `/\^?S[^HAFGIQ]*R.*/ == history`, a
// whole-string match.
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R/;

function connState(os: number, rs: number, origSize: number, respSize: number, history: string): ConnState {
  const oInactive = os === INACTIVE || os === PARTIAL;
  const rInactive = rs === INACTIVE || rs === PARTIAL;
  if (rs === RESET) {
    if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && origSize === 0 && respSize === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === RESET) {
    if (rInactive) return RSTOS0_HISTORY.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === CLOSED && os === CLOSED) return 'SF';
  if (os === CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === SYN_SENT && rs === INACTIVE) return 'S0';
  if (os === ESTABLISHED && rs === ESTABLISHED) return 'S1';
  return 'OTH';
}

/**
 * TCP ports in Zeek's `likely_server_ports` with the default scripts loaded: each base protocol script
 * adds its ports (`redef likely_server_ports += { ports }` in scripts/base/protocols/<p>/main.zeek).
 * IMAP, POP3 and MQTT register analyzers without adding to the set, so 143, 110 and 1883 are absent.
 */
const LIKELY_SERVER_PORTS_TCP: readonly number[] = [
  21, 2811, // ftp (incl. gridftp)
  22, // ssh
  25, 587, // smtp
  53, // dns
  79, // finger
  80, 81, 631, 1080, 3128, 8000, 8080, 8888, // http
  88, // krb
  135, // dce-rpc
  139, 445, // smb
  389, 3268, // ldap
  443, 465, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223, // ssl
  502, // modbus
  1434, 3306, // mysql
  3389, // rdp
  5222, 5269, // xmpp
  6379, // redis
  6666, 6667, 6668, 6669, // irc
  20000, // dnp3
];
const LIKELY = new Uint8Array(65536);
for (const port of LIKELY_SERVER_PORTS_TCP) LIKELY[port] = 1;

/** Whether Zeek (default scripts) counts a TCP port as a likely server port (IPBasedAnalyzer::IsLikelyServerPort). */
export function isLikelyServerPort(port: number): boolean {
  return LIKELY[port & 0xffff] === 1;
}

/**
 * Who Zeek makes the originator of a new connection, given its first packet (TCPAnalyzer::WantConnection
 * in src/packet_analysis/protocol/tcp/TCP.cc, applied by IPBasedAnalyzer::NewConn, which calls
 * Connection::FlipRoles and so puts `^` first in the history). Current Zeek still uses the
 * likely-server-port heuristic for TCP:
 *  - a SYN without ACK: its sender, always;
 *  - anything else (SYN-ACK or midstream): flipped to the receiver if the source port is a likely server
 *    port and the destination port is not; if both are, flipped only for a non-SYN packet whose source
 *    port is the lower one. A SYN-ACK between two unlisted ports is NOT flipped (stealth scans); Zeek then
 *    fixes the roles later if the SYN shows up (see `rolesSwapped`).
 */
export function zeekOriginator(flags: number, sport: number, dport: number): 'sender' | 'receiver' {
  if ((flags & SYN) !== 0 && (flags & ACK) === 0) return 'sender';
  if (!isLikelyServerPort(sport)) return 'sender';
  if (!isLikelyServerPort(dport)) return 'receiver';
  return (flags & SYN) === 0 && sport < dport ? 'receiver' : 'sender';
}
