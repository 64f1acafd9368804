/**
 * The hot loop's end: each TCP packet found or made a connection, counted in it, and given its
 * row in the packet table (ingest.ts feeds it from the main-thread sink, the reader worker's
 * batches and text listings).
 */
import { ACK, FIN, RST, SYN, MARK_RESP } from '../model.js';
import { zeekOriginator } from '../analysis/zeek.js';
import type { AddrTable } from './addr-table.js';
import {
  type ConnTable, CLOSE_FIN_ORIG, CLOSE_FIN_RESP, CLOSE_RST, KEY_IDS, H_BITS, H_ISN, H_OPKTS, H_RPKTS, HF_FIRST, HF_LAST, HF_OPAY,
  HF_RPAY, B_CLOSE_SHIFT, B_FLIPPED, B_REUSED, B_ATTEMPT, B_DEL, B_OSYNACK, H_KA, H_KB, H_KP, W_REVERSED,
} from './conn-table.js';
import * as L from './zeek-lifetime.js';
import type { PacketTable } from './packet-table.js';
import { discarded, osArray } from './memory.js';
import type { RowSpans } from './block-rows.js';

// slots of PacketAdder.pk
const P_KV = 0, P_KA = 1, P_SPORT = 2, P_KB = 3, P_DPORT = 4, P_FLAGS = 5, P_SEQ = 6, P_PLEN = 7, P_MARK = 8, P_ACK = 9, P_HAS_ACK = 10,
  P_SLOTS = 11;

// module-local copies (see analysis/zeek.ts: imported bindings can be getter calls)
const SPLIT_REUSE = L.SPLIT_REUSE, SPLIT_CLOSE = L.SPLIT_CLOSE, SPLIT_ATTEMPT = L.SPLIT_ATTEMPT, SPLIT_LINGER = L.SPLIT_LINGER;
const SPLIT_IDLE = L.SPLIT_IDLE;
const ATTEMPT_DELAY = L.TCP_ATTEMPT_DELAY, CLOSE_DELAY = L.TCP_CLOSE_DELAY, LINGER = L.TCP_CONNECTION_LINGER;
const IDLE = L.TCP_INACTIVITY_TIMEOUT;
/** record bits that send a packet of a known connection down the timer check (timerSplit) */
const TIMER_BITS = B_ATTEMPT | B_DEL | (CLOSE_RST << B_CLOSE_SHIFT);
const FIN_RST = FIN | RST;
/** isReuse's answers */
const SAME = 0, REUSE = 1, REVERSAL = 2;
/** rows scanned at most to swap a connection's roles (swapRoles): a SYN/SYN-ACK reversal comes microseconds apart */
const SWAP_SCAN_MAX = 4096;

/**
 * Adds packets to the tables: finds or creates the connection (the originator by Zeek's rule, a new
 * connection on port reuse), updates its counters and appends the row.
 *
 * Connections are looked up by key (see KEY_IDS): IPv4 packets by their raw addresses, so that
 * the address table is asked only when a connection is created (source first, then destination:
 * ids are handed out in the order the addresses first appear, as before).
 */
export class PacketAdder {
  /**
   * Packet-table rows of each connection's first and last packet (by index before renumbering):
   * the verdict pass finds a block of connections' packets in the rows between (block-rows.ts).
   */
  readonly spans: RowSpans = { count: 0, first: osArray(Uint32Array, 1024), last: osArray(Uint32Array, 1024) };

  constructor(readonly packets: PacketTable, readonly conns: ConnTable, readonly addrs: AddrTable) {}

  /** New connection from the packet ka:sport -> kb:dport; `flip`: the destination is the originator. */
  private create(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, replaces: number, flip: boolean,
    why: number): number {
    let idS = ka, idD = kb;
    if ((kv & KEY_IDS) === 0) {
      idS = this.addrs.v4IdOf(ka >>> 0);
      idD = this.addrs.v4IdOf(kb >>> 0);
    }
    const c = flip
      ? this.conns.addHot(kv, kb, dport, ka, sport, idD, idS, ts, replaces, why)
      : this.conns.addHot(kv, ka, sport, kb, dport, idS, idD, ts, replaces, why);
    const sp = this.spans;
    if (c >= sp.first.length) {
      const oldBytes = sp.first.byteLength * 2;
      const first = osArray(Uint32Array, sp.first.length * 2), last = osArray(Uint32Array, sp.first.length * 2);
      first.set(sp.first);
      last.set(sp.last);
      sp.first = first;
      sp.last = last;
      discarded(oldBytes);
    }
    sp.first[c] = this.packets.count;
    sp.count = c + 1;
    return c;
  }

  /**
   * The packet countPacket counts (P_* slots, and its time), handed over in typed arrays rather
   * than as arguments: countPacket is too large to be inlined, and a call that is not passes a
   * double, or an int32 past 30 bits (most raw IPv4 addresses and sequence numbers), as a fresh
   * heap number: ~3 allocations a packet, which kept the young generation collecting every ~17 ms
   * while reading.
   */
  private readonly pk = new Int32Array(P_SLOTS);
  private readonly pkTs = new Float64Array(1);

  private setPacket(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, flags: number, seq: number,
    plen: number, mark: number): void {
    const pk = this.pk;
    pk[P_KV] = kv;
    pk[P_KA] = ka;
    pk[P_SPORT] = sport;
    pk[P_KB] = kb;
    pk[P_DPORT] = dport;
    pk[P_FLAGS] = flags;
    pk[P_SEQ] = seq;
    pk[P_PLEN] = plen;
    pk[P_MARK] = mark;
    pk[P_HAS_ACK] = 0;
    this.pkTs[0] = ts;
  }

  /** Add a packet: its connection's counters and its row. */
  add(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, flags: number, seq: number, ack: number,
    plen: number, win: number, mark: number, frame: number, offset: number): void {
    this.setPacket(kv, ka, sport, kb, dport, ts, flags, seq, plen, mark);
    this.pk[P_ACK] = ack;
    this.pk[P_HAS_ACK] = 1;
    const r = this.countPacket();
    this.packets.push(ts, offset, frame, r >>> 1, seq, ack, plen, win, flags, r & 1 ? mark | MARK_RESP : mark);
  }

  /** Add a packet whose analysis columns the reader worker has written (PacketTable.pushRead). */
  addRead(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, flags: number, seq: number,
    plen: number, mark: number, frame: number, offset: number): void {
    this.setPacket(kv, ka, sport, kb, dport, ts, flags, seq, plen, mark);
    const r = this.countPacket();
    this.packets.pushRead(offset, frame, r >>> 1, r & 1 ? mark | MARK_RESP : -1);
  }

  /**
   * Find or create the packet's connection (setPacket), count the packet in it and note it as the
   * connection's last row. Returns the connection's index * 2, plus 1 when the responder sent it.
   */
  private countPacket(): number {
    const pk = this.pk;
    const kv = pk[P_KV]!, ka = pk[P_KA]!, sport = pk[P_SPORT]!, kb = pk[P_KB]!, dport = pk[P_DPORT]!;
    const flags = pk[P_FLAGS]!, seq = pk[P_SEQ]!, plen = pk[P_PLEN]!;
    let mark = pk[P_MARK]!;
    const ts = this.pkTs[0]!;
    const conns = this.conns;
    const r = conns.find(kv, ka, sport, kb, dport);
    let c: number;
    let resp: boolean;
    let newBits = 0;
    let why = 0;
    if (r >= 0) {
      c = r >>> 1;
      resp = (r & 1) !== 0;
      // Zeek's timers due by this packet's time end the connection first (zeek-lifetime.ts)
      const h = c << 4;
      const bits = conns.hotI[h + H_BITS]!;
      if (ts - conns.hotF[(c << 3) + HF_LAST]! >= IDLE) why = SPLIT_IDLE;
      if (bits & TIMER_BITS) why = this.timerSplit(c, bits, ts, why);
      if (why === 0 && (flags & SYN) !== 0) {
        const reuse = this.isReuse(c, bits, flags, seq);
        if (reuse === REUSE) {
          why = SPLIT_REUSE;
          conns.hotI[h + H_BITS]! |= B_REUSED;
        } else if (reuse === REVERSAL && resp && this.swapRoles(c)) resp = false;
      }
    } else {
      c = -1;
      resp = false;
    }
    if (c < 0 || why !== 0) {
      if (zeekOriginator(flags, sport, dport) === 'sender') {
        c = this.create(kv, ka, sport, kb, dport, ts, c, false, why);
        resp = false;
        if (flags & SYN) newBits = flags & ACK ? B_ATTEMPT | B_OSYNACK : B_ATTEMPT;
      } else {
        c = this.create(kv, ka, sport, kb, dport, ts, c, true, why);
        newBits = B_FLIPPED;
        resp = true;
      }
    }
    // (after create: the records may have moved)
    const hot = conns.hotI;
    const hf = conns.hotF;
    const h = c << 4;
    const f = c << 3;
    let bits = hot[h + H_BITS]! | newBits;
    const opkts = hot[h + H_OPKTS]!, rpkts = hot[h + H_RPKTS]!;
    // Zeek's start sequences (init_endpoint: a side's first packet; init_peer: an ack before the peer spoke)
    if ((resp ? rpkts : opkts) === 0) this.setStart(c, resp, flags & SYN ? seq : seq - 1);
    if ((flags & ACK) !== 0 && (resp ? opkts : rpkts) === 0) this.setStart(c, !resp, this.ackOf() - 1);
    if (bits & B_ATTEMPT && resp) {
      // the responder speaks: the attempt timer will find it active (unless an empty ACK before
      // its SYN-ACK, which Zeek leaves INACTIVE)
      if (plen !== 0 || (flags & (SYN | FIN | RST)) !== 0 || (bits & B_OSYNACK) !== 0) bits &= ~B_ATTEMPT;
    }
    if (flags & FIN_RST) {
      const mine = resp ? bits >>> 8 : bits;
      if ((mine & FIN_RST) === 0) {
        // the side's first FIN or RST: Zeek's ConnectionClosed. Complete when it is a RST, the peer
        // closed already, or the peer is INACTIVE: delete 5 s later (timers cancelled)
        const peerFlags = resp ? bits : bits >>> 8;
        const peerInactive = resp ? opkts === 0 : rpkts === 0 || (bits & B_ATTEMPT) !== 0;
        if ((flags & RST) !== 0 || (peerFlags & FIN_RST) !== 0 || peerInactive) {
          bits = (bits | B_DEL) & ~B_ATTEMPT;
          conns.delAt[c] = ts + CLOSE_DELAY;
        }
      }
      bits |= (flags & RST ? CLOSE_RST : resp ? CLOSE_FIN_RESP : CLOSE_FIN_ORIG) << B_CLOSE_SHIFT;
    }
    if (resp) {
      mark |= MARK_RESP;
      hot[h + H_RPKTS]!++;
      hf[f + HF_RPAY]! += plen;
      bits |= flags << 8;
    } else {
      hot[h + H_OPKTS]!++;
      hf[f + HF_OPAY]! += plen;
      bits |= flags;
    }
    hot[h + H_BITS] = bits | (mark << 16);
    if (ts > hf[f + HF_LAST]!) hf[f + HF_LAST] = ts;
    if (ts < hf[f + HF_FIRST]!) hf[f + HF_FIRST] = ts;
    this.spans.last[c] = this.packets.count;
    return resp ? (c << 1) | 1 : c << 1;
  }

  private setStart(c: number, resp: boolean, seq: number): void {
    if (resp) this.conns.respStart[c] = seq;
    else this.conns.hotI[(c << 4) + H_ISN] = seq;
  }

  /** The packet's ack (from the reader worker's columns when it was not handed over). */
  private ackOf(): number {
    const pk = this.pk;
    return pk[P_HAS_ACK] ? pk[P_ACK]! : this.packets.ack(this.packets.count);
  }

  /**
   * Which of Zeek's timers (attempt, close, linger) had removed connection c by time ts (SPLIT_*),
   * or `idle` when none did; the earliest due one wins, as Zeek fires them in time order.
   */
  private timerSplit(c: number, bits: number, ts: number, idle: number): number {
    const conns = this.conns;
    const last = conns.hotF[(c << 3) + HF_LAST]!;
    let why = idle, at = idle ? last + IDLE : Infinity;
    if (bits & B_ATTEMPT) {
      const t = conns.hotF[(c << 3) + HF_FIRST]! + ATTEMPT_DELAY;
      if (ts >= t && t < at) { why = SPLIT_ATTEMPT; at = t; }
    }
    if (bits & B_DEL) {
      const t = conns.delAt[c]!;
      if (ts >= t && t < at) { why = SPLIT_CLOSE; at = t; }
    } else if (bits & (CLOSE_RST << B_CLOSE_SHIFT)) {
      // a RST without a complete close: a side sent FIN then RST while the peer stayed open
      if (ts - last > LINGER && last + LINGER < at) why = SPLIT_LINGER;
    }
    return why;
  }

  /** TCPSessionAdapter::IsReuse for a SYN on connection c (zeek-lifetime.ts REUSE). */
  private isReuse(c: number, bits: number, flags: number, seq: number): number {
    const conns = this.conns;
    const h = c << 4;
    let start: number;
    if (flags & ACK) {
      if (conns.hotI[h + H_OPKTS]! !== 0) return SAME; // not a half connection
      start = conns.respStart[c]!;
    } else start = conns.hotI[h + H_ISN]!;
    if (((bits | (bits >>> 8)) & FIN_RST) !== 0) return REUSE; // IsClosed: any seq
    if ((seq | 0) === start) return SAME;
    // the SYN of a SYN-ACK seen first (originator SYN_ACK_SENT, responder INACTIVE): Zeek flips the
    // roles (UpdateInactiveState, Connection::FlipRoles) instead
    if ((flags & ACK) === 0 && (bits & (B_ATTEMPT | B_OSYNACK)) === (B_ATTEMPT | B_OSYNACK) && (seq | 0) === conns.respStart[c]) {
      return REVERSAL;
    }
    return REUSE;
  }

  /**
   * Zeek's SYN/SYN-ACK reversal: connection c's originator sent the SYN-ACK(s), the responder,
   * silent so far, now sends the SYN, and Zeek's conn.log names the SYN's sender the originator.
   * Swap c's roles: its record (the responder has nothing yet) and its rows so far (all the
   * originator's), found between c's first row and the end; the replay starts from the old roles
   * (W_REVERSED, zeek.ts). False, and nothing changed, when that span is too long to scan.
   */
  private swapRoles(c: number): boolean {
    const conns = this.conns, pk = this.packets;
    const first = this.spans.first[c]!, end = pk.count;
    if (end - first > SWAP_SCAN_MAX) return false;
    for (let r = first; r < end; r++) if (pk.conn(r) === c) pk.setMark(r, pk.mark(r) | MARK_RESP);
    const hot = conns.hotI, hf = conns.hotF, h = c << 4, f = c << 3;
    const ka = hot[h + H_KA]!, kp = hot[h + H_KP]!;
    hot[h + H_KA] = hot[h + H_KB]!;
    hot[h + H_KB] = ka;
    hot[h + H_KP] = (kp >>> 16) | (kp << 16);
    const ids = conns.idsHot, io = ids[c << 1]!;
    ids[c << 1] = ids[(c << 1) + 1]!;
    ids[(c << 1) + 1] = io;
    hot[h + H_RPKTS] = hot[h + H_OPKTS]!;
    hot[h + H_OPKTS] = 0;
    hf[f + HF_RPAY] = hf[f + HF_OPAY]!;
    hf[f + HF_OPAY] = 0;
    conns.respStart[c] = hot[h + H_ISN]!;
    hot[h + H_ISN] = 0;
    // the flags are the old originator's alone (no FIN or RST: B_ATTEMPT is still set)
    const bits = hot[h + H_BITS]!;
    hot[h + H_BITS] = (bits & ~(0xffff | B_ATTEMPT | B_OSYNACK)) | ((bits & 0xff) << 8);
    conns.whyHot[c] = conns.whyHot[c]! | W_REVERSED;
    return true;
  }
}
