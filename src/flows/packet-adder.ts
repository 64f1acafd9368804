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
  HF_RPAY, B_CLOSE_SHIFT, B_FLIPPED, B_REUSED,
} from './conn-table.js';
import type { PacketTable } from './packet-table.js';
import { discarded, osArray } from './memory.js';
import type { RowSpans } from './block-rows.js';

// slots of PacketAdder.pk
const P_KV = 0, P_KA = 1, P_SPORT = 2, P_KB = 3, P_DPORT = 4, P_FLAGS = 5, P_SEQ = 6, P_PLEN = 7, P_MARK = 8, P_SLOTS = 9;

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
  private create(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, replaces: number, flip: boolean): number {
    let idS = ka, idD = kb;
    if ((kv & KEY_IDS) === 0) {
      idS = this.addrs.v4IdOf(ka >>> 0);
      idD = this.addrs.v4IdOf(kb >>> 0);
    }
    const c = flip
      ? this.conns.addHot(kv, kb, dport, ka, sport, idD, idS, ts, replaces)
      : this.conns.addHot(kv, ka, sport, kb, dport, idS, idD, ts, replaces);
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
    this.pkTs[0] = ts;
  }

  /** Add a packet: its connection's counters and its row. */
  add(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, flags: number, seq: number, ack: number,
    plen: number, win: number, mark: number, frame: number, offset: number): void {
    this.setPacket(kv, ka, sport, kb, dport, ts, flags, seq, plen, mark);
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
    if (r >= 0) {
      c = r >>> 1;
      resp = (r & 1) !== 0;
      if ((flags & (SYN | ACK)) === SYN) {
        // A new SYN on a closed tuple starts a new connection (port reuse); a retransmitted
        // SYN (same ISN) or a SYN on a live connection stays in it.
        const hot = conns.hotI;
        const h = c << 4;
        const cb = (hot[h + H_BITS]! >>> B_CLOSE_SHIFT) & 7;
        const closed = (cb & CLOSE_RST) !== 0 || (cb & (CLOSE_FIN_ORIG | CLOSE_FIN_RESP)) === (CLOSE_FIN_ORIG | CLOSE_FIN_RESP);
        if (closed && (seq | 0) !== hot[h + H_ISN]!) {
          hot[h + H_BITS]! |= B_REUSED;
          c = this.create(kv, ka, sport, kb, dport, ts, c, false);
          resp = false;
        }
      }
    } else if (zeekOriginator(flags, sport, dport) === 'sender') {
      c = this.create(kv, ka, sport, kb, dport, ts, -1, false);
      resp = false;
    } else {
      c = this.create(kv, ka, sport, kb, dport, ts, -1, true);
      newBits = B_FLIPPED;
      resp = true;
    }
    // (after create: the records may have moved)
    const hot = conns.hotI;
    const hf = conns.hotF;
    const h = c << 4;
    const f = c << 3;
    let bits = hot[h + H_BITS]! | newBits;
    if (!resp && (flags & (SYN | ACK)) === SYN && hot[h + H_ISN] === 0) hot[h + H_ISN] = seq;
    if (flags & (FIN | RST)) bits |= (flags & RST ? CLOSE_RST : resp ? CLOSE_FIN_RESP : CLOSE_FIN_ORIG) << B_CLOSE_SHIFT;
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
}
