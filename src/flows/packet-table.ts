/**
 * Per-packet facts of every TCP packet, as a struct of arrays in fixed-size chunks.
 *
 * Why chunks: a growing typed array must be copied when it doubles, so the peak would be ~2x the
 * live data; fixed chunks of 64 Ki rows never move. Bytes per packet: ts 8, file offset 4 (8 when
 * an input may exceed 4 GiB), frame 4, conn 4, seq 4, ack 4, len 2, win 2, flags 1, mark 1 = 34.
 * Packet bytes are not kept: they are read again from the file (offset) when a view needs them.
 */
const SHIFT = 16;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

export class PacketTable {
  /** rows in use */
  count = 0;
  private readonly tsC: Float64Array[] = [];
  private readonly offC: (Uint32Array | Float64Array)[] = [];
  private readonly frameC: Uint32Array[] = [];
  private readonly connC: Uint32Array[] = [];
  private readonly seqC: Uint32Array[] = [];
  private readonly ackC: Uint32Array[] = [];
  private readonly lenC: Uint16Array[] = [];
  private readonly winC: Uint16Array[] = [];
  private readonly flagsC: Uint8Array[] = [];
  private readonly markC: Uint8Array[] = [];
  // the chunk being appended to, cached so that push() does not index the chunk lists 10 times
  private cTs: Float64Array = new Float64Array(0);
  private cOff: Uint32Array | Float64Array = new Uint32Array(0);
  private cFrame: Uint32Array = new Uint32Array(0);
  private cConn: Uint32Array = new Uint32Array(0);
  private cSeq: Uint32Array = new Uint32Array(0);
  private cAck: Uint32Array = new Uint32Array(0);
  private cLen: Uint16Array = new Uint16Array(0);
  private cWin: Uint16Array = new Uint16Array(0);
  private cFlags: Uint8Array = new Uint8Array(0);
  private cMark: Uint8Array = new Uint8Array(0);
  /** offsets are kept in 32 bits until an input may be larger than 4 GiB */
  private wideOffsets = false;

  /** Call before reading an input whose size is unknown or at least 4 GiB. */
  needWideOffsets(): void {
    if (this.wideOffsets) return;
    this.wideOffsets = true;
    for (let c = 0; c < this.offC.length; c++) this.offC[c] = Float64Array.from(this.offC[c]!);
    if (this.offC.length) this.cOff = this.offC[this.offC.length - 1]!;
  }

  private addChunk(): void {
    this.tsC.push(new Float64Array(CHUNK));
    this.offC.push(this.wideOffsets ? new Float64Array(CHUNK) : new Uint32Array(CHUNK));
    this.frameC.push(new Uint32Array(CHUNK));
    this.connC.push(new Uint32Array(CHUNK));
    this.seqC.push(new Uint32Array(CHUNK));
    this.ackC.push(new Uint32Array(CHUNK));
    this.lenC.push(new Uint16Array(CHUNK));
    this.winC.push(new Uint16Array(CHUNK));
    this.flagsC.push(new Uint8Array(CHUNK));
    this.markC.push(new Uint8Array(CHUNK));
    const last = this.tsC.length - 1;
    this.cTs = this.tsC[last]!;
    this.cOff = this.offC[last]!;
    this.cFrame = this.frameC[last]!;
    this.cConn = this.connC[last]!;
    this.cSeq = this.seqC[last]!;
    this.cAck = this.ackC[last]!;
    this.cLen = this.lenC[last]!;
    this.cWin = this.winC[last]!;
    this.cFlags = this.flagsC[last]!;
    this.cMark = this.markC[last]!;
  }

  /** Append a packet; returns its index. */
  push(ts: number, offset: number, frame: number, conn: number, seq: number, ack: number, len: number, win: number, flags: number, mark: number): number {
    const i = this.count;
    if ((i >>> SHIFT) === this.tsC.length) this.addChunk();
    const j = i & MASK;
    this.cTs[j] = ts;
    this.cOff[j] = offset;
    this.cFrame[j] = frame;
    this.cConn[j] = conn;
    this.cSeq[j] = seq;
    this.cAck[j] = ack;
    this.cLen[j] = len > 0xffff ? 0xffff : len;
    this.cWin[j] = win;
    this.cFlags[j] = flags;
    this.cMark[j] = mark;
    this.count = i + 1;
    return i;
  }

  ts(i: number): number { return this.tsC[i >>> SHIFT]![i & MASK]!; }
  offset(i: number): number { return this.offC[i >>> SHIFT]![i & MASK]!; }
  frame(i: number): number { return this.frameC[i >>> SHIFT]![i & MASK]!; }
  conn(i: number): number { return this.connC[i >>> SHIFT]![i & MASK]!; }
  seq(i: number): number { return this.seqC[i >>> SHIFT]![i & MASK]!; }
  ack(i: number): number { return this.ackC[i >>> SHIFT]![i & MASK]!; }
  len(i: number): number { return this.lenC[i >>> SHIFT]![i & MASK]!; }
  win(i: number): number { return this.winC[i >>> SHIFT]![i & MASK]!; }
  flags(i: number): number { return this.flagsC[i >>> SHIFT]![i & MASK]!; }
  mark(i: number): number { return this.markC[i >>> SHIFT]![i & MASK]!; }

  setConn(i: number, conn: number): void { this.connC[i >>> SHIFT]![i & MASK] = conn; }
  orMark(i: number, bits: number): void { this.markC[i >>> SHIFT]![i & MASK]! |= bits; }

  /** Rewrite every conn column entry through `map` (old index -> new index). */
  remapConns(map: Uint32Array): void {
    for (let c = 0; c < this.connC.length; c++) {
      const col = this.connC[c]!;
      const n = c === this.connC.length - 1 ? this.count - (c << SHIFT) : CHUNK;
      for (let j = 0; j < n; j++) col[j] = map[col[j]!]!;
    }
  }

  /** Bytes held by the columns (for the benchmark's memory figures). */
  bytes(): number {
    const perRow = 8 + (this.wideOffsets ? 8 : 4) + 4 + 4 + 4 + 4 + 2 + 2 + 1 + 1;
    return this.tsC.length * CHUNK * perRow;
  }
}
