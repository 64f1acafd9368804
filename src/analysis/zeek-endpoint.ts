/**
 * One endpoint of a TCP connection as Zeek tracks it (Zeek's `TCP_Endpoint`, src/analyzer/protocol/tcp/
 * TCP_Endpoint.{h,cc}), plus the little of its `TCP_Reassembler` that decides content gaps (the `g`
 * history letter). Written from Zeek's rules, not copied; function names in comments are Zeek's.
 *
 * Sequence arithmetic follows Zeek: absolute numbers are uint32, `seq_delta` is the int32 difference,
 * relative numbers are 64-bit (we use doubles: exact below 2^53) counted from `start` with wrap counts.
 * Objects of this class are reused across connections (`reset`), so replaying a connection allocates
 * nothing per packet.
 */

// Zeek's `EndpointState` (TCP_Endpoint.h), same order. Plain constants for the hot paths.
export const INACTIVE = 0;
export const SYN_SENT = 1;
export const SYN_ACK_SENT = 2;
export const PARTIAL = 3;
export const ESTABLISHED = 4;
export const CLOSED = 5;
export const RESET = 6;
export const EP = { INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET } as const;
export type EpState = (typeof EP)[keyof typeof EP];

const TWO32 = 4294967296;

/** Zeek's `seq_delta`: a - b as a signed 32-bit number. */
export const seqDelta = (a: number, b: number): number => (a - b) | 0;

/**
 * Default of Zeek's `tcp_max_above_hole_without_any_acks` (init-bare.zeek): past this many bytes buffered
 * above a hole with nothing acked, the reassembler gives up (`skip_deliveries`) and reports no more gaps.
 */
const MAX_ABOVE_HOLE_WITHOUT_ACKS = 16384;

export class ZeekEndpoint {
  state: EpState = INACTIVE;
  prevState: EpState = INACTIVE;
  /** Zeek's role of this endpoint right now (FlipRoles toggles it). */
  isOrig = false;
  peer!: ZeekEndpoint;

  // Sequence bookkeeping (TCP_Endpoint: start_seq, last_seq, ack_seq, seq_wraps, ack_wraps).
  start = 0;
  lastSeq = 0;
  ackSeq = 0;
  seqWraps = 0;
  ackWraps = 0;
  finCnt = 0;
  rstCnt = 0;
  /** relative sequence number of the FIN's octet + 1 (TCPSessionAdapter::Process: FIN_seq) */
  finSeq = 0;
  histLastSyn = 0;
  histLastFin = 0;
  histLastRst = 0;

  // Scaled history counters (TCP_Endpoint: rxmt_cnt/rxmt_thresh, win0_..., gap_...).
  rxmtCnt = 0;
  rxmtThresh = 1;
  win0Cnt = 0;
  win0Thresh = 1;
  gapCnt = 0;
  gapThresh = 1;

  // Reassembler (TCP_Reassembler / Reassembler): relative sequence numbers, data starts at 1.
  lastReassem = 1;
  trimSeq = 1;
  /**
   * One buffered out-of-order run [holeLo, holeHi) above `lastReassem` (0/0: none). Zeek keeps a full
   * block list; one run covers a single hole (loss or reordering), which is what small captures show.
   * A second disjoint run above the first is dropped, so a later ack over it may count one gap too many.
   */
  holeLo = 0;
  holeHi = 0;
  skipDeliveries = false;

  reset(isOrig: boolean, peer: ZeekEndpoint): void {
    this.state = INACTIVE;
    this.prevState = INACTIVE;
    this.isOrig = isOrig;
    this.peer = peer;
    this.start = this.lastSeq = this.ackSeq = 0;
    this.seqWraps = this.ackWraps = 0;
    this.finCnt = this.rstCnt = 0;
    this.finSeq = 0;
    this.histLastSyn = this.histLastFin = this.histLastRst = 0;
    this.rxmtCnt = this.win0Cnt = this.gapCnt = 0;
    this.rxmtThresh = this.win0Thresh = this.gapThresh = 1;
    this.lastReassem = this.trimSeq = 1;
    this.holeLo = this.holeHi = 0;
    this.skipDeliveries = false;
  }

  /** TCP_Endpoint::SetState: prev_state only moves on a real change. */
  setState(s: EpState): void {
    if (s !== this.state) {
      this.prevState = this.state;
      this.state = s;
    }
  }

  /** InitStartSeq + InitAckSeq + InitLastSeq, as init_endpoint/init_peer do them together. */
  initSeqs(start: number, last: number): void {
    this.start = start >>> 0;
    this.ackSeq = start >>> 0;
    this.lastSeq = last >>> 0;
  }

  /** TCP_Endpoint::UpdateLastSeq: a smaller uint32 means the space wrapped. */
  updateLastSeq(seq: number): void {
    if (seq < this.lastSeq) ++this.seqWraps;
    this.lastSeq = seq;
  }

  /** TCP_Endpoint::UpdateAckSeq */
  updateAckSeq(seq: number): void {
    if (seq < this.ackSeq) ++this.ackWraps;
    this.ackSeq = seq;
  }

  /** TCP_Endpoint::NoDataAcked: the peer acked at most the SYN octet. */
  noDataAcked(): boolean {
    const ack = this.ackWraps * TWO32 + this.ackSeq;
    return ack === this.start || ack === this.start + 1;
  }

  /** TCP_Endpoint::Size: payload bytes from sequence numbers, minus the SYN and FIN octets. */
  size(): number {
    if (this.prevState === SYN_SENT && this.state === RESET && this.peer.state === INACTIVE && !this.noDataAcked())
      return 0; // a half-open connection discovered and aborted: its numbers say nothing about data
    const last64 = this.seqWraps * TWO32 + this.lastSeq;
    const ack64 = this.ackWraps * TWO32 + this.ackSeq;
    // Zeek subtracts in uint64 and would log a huge number on underflow; we clamp (only reachable
    // with untrustworthy RST sequence numbers).
    let size = Math.max(0, (last64 > ack64 ? last64 : ack64) - this.start);
    if (size !== 0) --size; // SYN octet (partial connections get a fake one, see init_endpoint)
    if (this.finCnt > 0 && size !== 0) --size; // FIN octet
    return size;
  }

  /** Relative form of our own ack_seq (TCP_Endpoint::ToRelativeSeqSpace); negative means "huge" in Zeek. */
  private relAck(): number {
    const r = this.ackWraps * TWO32 + this.ackSeq - this.start;
    return r < 0 ? Number.MAX_SAFE_INTEGER : r;
  }

  /** Zeek's `is_clean` on both sides (TCP_Reassembler.cc): only then is a gap put in the history. */
  private cleanlyEstablished(): boolean {
    return isClean(this) && isClean(this.peer);
  }

  /**
   * TCP_Reassembler::DataSent + Reassembler::NewBlock + BlockInserted, reduced to what moves
   * `lastReassem` (contiguous data delivered) and the buffered run above a hole.
   */
  dataSent(seq: number, len: number): void {
    if (this.skipDeliveries) return;
    let upper = seq + len;
    const ack = this.relAck();
    if (seq < ack) {
      if (upper <= ack) return; // delivered and acked already
      seq = ack;
    }
    if (upper <= this.trimSeq) return;
    if (seq < this.trimSeq) seq = this.trimSeq;
    if (seq <= this.lastReassem) {
      if (upper > this.lastReassem) this.lastReassem = upper;
      if (this.holeHi !== 0 && this.holeLo <= this.lastReassem) {
        if (this.holeHi > this.lastReassem) this.lastReassem = this.holeHi;
        this.holeLo = this.holeHi = 0;
      }
    } else if (this.holeHi === 0) {
      this.holeLo = seq;
      this.holeHi = upper;
    } else if (seq <= this.holeHi && upper >= this.holeLo) {
      if (seq < this.holeLo) this.holeLo = seq;
      if (upper > this.holeHi) this.holeHi = upper;
    } else if (upper < this.holeLo) {
      this.holeLo = seq; // keep the lowest run: it is the next one to be delivered
      this.holeHi = upper;
    }
    if (this.holeHi !== 0) upper = this.holeHi;
    // TCP_Reassembler::DataSent: lots of data above a hole and nothing acked -> give up on the stream.
    if (this.noDataAcked() && upper - this.lastReassem > MAX_ABOVE_HOLE_WITHOUT_ACKS) {
      this.holeLo = this.holeHi = 0;
      this.skipDeliveries = true;
    }
  }

  /**
   * TCP_Reassembler::AckReceived -> TrimToSeq -> Undelivered: the peer acked `seq` (relative to our
   * start); every stretch below it that we never saw is a content gap. Returns nothing; records the
   * scaled `G`/`g` via `hist`.
   */
  ackReceived(seq: number, isPartialConn: boolean, hist: HistorySink): void {
    if (this.finCnt > 0 && seq >= this.finSeq) seq = this.finSeq - 1; // don't count the FIN octet
    if (seq <= this.trimSeq) return;
    if (seq > this.lastReassem) {
      // TCP_Reassembler::Undelivered. For partial connections an ack of 1 or 2 only reflects the
      // faked initial sequence numbers (or a keep-alive), so it is ignored.
      if (!(seq <= 2 && isPartialConn)) {
        if (!this.skipDeliveries) {
          if (this.holeHi !== 0 && this.holeLo < seq) {
            this.gap(hist);
            this.lastReassem = this.holeHi;
            this.holeLo = this.holeHi = 0;
          }
          if (seq > this.lastReassem) this.gap(hist);
        }
        if (seq > this.lastReassem) this.lastReassem = seq;
      }
    }
    this.trimSeq = seq;
  }

  /** TCP_Reassembler::Gap -> TCP_Endpoint::Gap, only for cleanly established/closing connections. */
  private gap(hist: HistorySink): void {
    if (!this.cleanlyEstablished()) return;
    if (++this.gapCnt === this.gapThresh) {
      hist.add(this.isOrig ? 'G' : 'g');
      this.gapThresh *= 10;
    }
  }

  /** TCP_Endpoint::DidRxmit via Connection::ScaledHistoryEntry (1st, 10th, 100th, ...). */
  didRxmit(hist: HistorySink): void {
    if (++this.rxmtCnt === this.rxmtThresh) {
      hist.add(this.isOrig ? 'T' : 't');
      this.rxmtThresh *= 10;
    }
  }

  /** TCP_Endpoint::ZeroWindow via Connection::ScaledHistoryEntry. */
  zeroWindow(hist: HistorySink): void {
    if (++this.win0Cnt === this.win0Thresh) {
      hist.add(this.isOrig ? 'W' : 'w');
      this.win0Thresh *= 10;
    }
  }
}

/** Where history letters go (the connection's `history` string). */
export interface HistorySink {
  add(code: string): void;
}

function isClean(e: ZeekEndpoint): boolean {
  return e.state === ESTABLISHED || (e.state === CLOSED && e.prevState === ESTABLISHED);
}
