/**
 * Per-packet facts of every TCP packet, as a struct of arrays in fixed-size chunks.
 *
 * Why chunks: a growing typed array must be copied when it doubles, so the peak would be ~2x the
 * live data; fixed chunks of 64 Ki rows never move. Bytes per packet: ts 8, file offset 4 (8 when
 * an input may exceed 4 GiB), conn 4, seq 4, ack 4, len 2, win 2, flags 1, mark 1 = 30, plus the
 * frame number: kept as runs of consecutive numbers (a capture of TCP only is one run per file),
 * or as a 4-byte column once runs stop paying (much non-TCP traffic between the TCP packets).
 * Packet bytes are not kept: they are read again from the file (offset) when a view needs them.
 */
import type { ConnPackets } from '../analysis/conn-packets.js';

const SHIFT = 16;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;
/** rows per chunk */
export const CHUNK_ROWS = CHUNK;

/**
 * One chunk of the columns the analysis reads (each array CHUNK_ROWS long, in shared memory, so
 * that a worker can write or read them): a connection's packets take the same arrays.
 */
export type AnalysisChunk = Pick<ConnPackets, 'ts' | 'flags' | 'seq' | 'ack' | 'len' | 'win' | 'mark'>;

/** The columns the analysis reads: the table's chunks in order (chunk c holds rows c * CHUNK_ROWS ..). */
export type AnalysisColumns = readonly AnalysisChunk[];

/**
 * A fresh chunk of analysis columns (the table's, or one the reader worker fills and posts): the
 * seven columns are views of one shared buffer (22 bytes a row), so that posting a chunk to a
 * worker sends one buffer, not seven (the analysis worker gets ~150 chunks at 10 M packets).
 */
export function newAnalysisChunk(): AnalysisChunk {
  const b = new SharedArrayBuffer(CHUNK * 22);
  return {
    ts: new Float64Array(b, 0, CHUNK), seq: new Uint32Array(b, CHUNK * 8, CHUNK), ack: new Uint32Array(b, CHUNK * 12, CHUNK),
    len: new Uint16Array(b, CHUNK * 16, CHUNK), win: new Uint16Array(b, CHUNK * 18, CHUNK), flags: new Uint8Array(b, CHUNK * 20, CHUNK),
    mark: new Uint8Array(b, CHUNK * 21, CHUNK),
  };
}

const NO_CHUNK: AnalysisChunk = {
  ts: new Float64Array(0), flags: new Uint8Array(0), seq: new Uint32Array(0), ack: new Uint32Array(0), len: new Uint16Array(0),
  win: new Uint16Array(0), mark: new Uint8Array(0),
};

/** Row `j` of chunk `c`: the analysis facts of one packet (the payload length saturates at 65535). */
export function putAnalysisRow(c: AnalysisChunk, j: number, ts: number, flags: number, seq: number, ack: number, len: number, win: number,
  mark: number): void {
  c.ts[j] = ts;
  c.flags[j] = flags;
  c.seq[j] = seq;
  c.ack[j] = ack;
  c.len[j] = len > 0xffff ? 0xffff : len;
  c.win[j] = win;
  c.mark[j] = mark;
}

/**
 * Copy the ts, flags, seq, ack, len, win and mark of rows[from..to) into the arrays at index
 * 0.. (the analysis' per-connection form). Rows in increasing order mostly share a chunk, so the
 * chunk's columns are looked up once per run of rows, not once per field. (Tried: the seven
 * fields in one 24-byte record per row, one cache line per packet here instead of seven; the
 * copy was no faster, ~110 vs ~95 ms per 2 M packets, and rows took 2 bytes more: columns stay.
 * Tried too: copying blocks of connections out in one straight pass over the rows they span;
 * no faster on the benchmark, whose connections are numbered in first-packet order, so the rows
 * being gathered stay in cache.)
 */
export function gatherRows(cols: AnalysisColumns, rows: Uint32Array, from: number, to: number, ts: Float64Array, flags: Uint8Array,
  seq: Uint32Array, ack: Uint32Array, len: Uint16Array, win: Uint16Array, mark: Uint8Array): void {
  let ch = -1;
  let cTs = ts, cFlags = flags, cSeq = seq, cAck = ack, cLen = len, cWin = win, cMark = mark;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const c = i >>> SHIFT;
    if (c !== ch) {
      ch = c;
      const a = cols[c]!;
      cTs = a.ts;
      cFlags = a.flags;
      cSeq = a.seq;
      cAck = a.ack;
      cLen = a.len;
      cWin = a.win;
      cMark = a.mark;
    }
    const j = i & MASK;
    const o = k - from;
    ts[o] = cTs[j]!;
    flags[o] = cFlags[j]!;
    seq[o] = cSeq[j]!;
    ack[o] = cAck[j]!;
    len[o] = cLen[j]!;
    win[o] = cWin[j]!;
    mark[o] = cMark[j]!;
  }
}

export class PacketTable {
  /** rows in use */
  count = 0;
  /** the analysis columns, chunk by chunk (shared memory) */
  private readonly aC: AnalysisChunk[] = [];
  private readonly offC: (Uint32Array | Float64Array)[] = [];
  /** frame numbers as a column (undefined while they are kept as runs) */
  private frameC: Uint32Array[] | undefined;
  // frame runs: from row runRow[k] on, frames count up from runFrame[k] (rows increasing)
  private runRow = new Float64Array(16);
  private runFrame = new Float64Array(16);
  private runs = 0;
  /** the frame that continues the current run */
  private nextFrame = -1;
  private readonly connC: Uint32Array[] = [];
  // the chunk being appended to, cached so that push() does not index the chunk lists per field
  private cA: AnalysisChunk = NO_CHUNK;
  private cOff: Uint32Array | Float64Array = new Uint32Array(0);
  private cFrame: Uint32Array | undefined;
  private cConn: Uint32Array = new Uint32Array(0);
  /** the chunk the c* fields above view */
  private cur = -1;
  /** offsets are kept in 32 bits until an input may be larger than 4 GiB */
  private wideOffsets = false;

  /** Call before reading an input of 4 GiB or more (push switches by itself when an offset needs it). */
  needWideOffsets(): void {
    if (this.wideOffsets) return;
    this.wideOffsets = true;
    for (let c = 0; c < this.offC.length; c++) this.offC[c] = Float64Array.from(this.offC[c]!);
    if (this.cur >= 0) this.cOff = this.offC[this.cur]!;
  }

  /**
   * Append chunk storage whose analysis columns come from elsewhere (the reader worker fills them,
   * see pushRead); the columns kept here alone (offset, conn, frame) are made for it.
   */
  adoptChunk(a: AnalysisChunk): void {
    this.aC.push(a);
    this.offC.push(this.wideOffsets ? new Float64Array(CHUNK) : new Uint32Array(CHUNK));
    this.frameC?.push(new Uint32Array(CHUNK));
    // (shared: the verdict pass reads it in a worker, block-rows.ts)
    this.connC.push(new Uint32Array(new SharedArrayBuffer(CHUNK * 4)));
  }

  /** The analysis columns of chunk k (to hand the part-filled last chunk to the reader worker). */
  analysisChunk(k: number): AnalysisChunk {
    return this.aC[k]!;
  }

  /** Make chunk c the one rows are appended to. */
  private enterChunk(c: number): void {
    this.cur = c;
    this.cA = this.aC[c]!;
    this.cOff = this.offC[c]!;
    if (this.frameC) this.cFrame = this.frameC[c]!;
    this.cConn = this.connC[c]!;
  }

  /** Append a packet; returns its index. */
  push(ts: number, offset: number, frame: number, conn: number, seq: number, ack: number, len: number, win: number, flags: number, mark: number): number {
    const i = this.count;
    const c = i >>> SHIFT;
    if (c !== this.cur) {
      if (c === this.aC.length) this.adoptChunk(newAnalysisChunk());
      this.enterChunk(c);
    }
    putAnalysisRow(this.cA, i & MASK, ts, flags, seq, ack, len, win, mark);
    this.pushRead(offset, frame, conn, -1);
    return i;
  }

  /**
   * Append a packet whose analysis columns the reader worker has already written (putAnalysisRow,
   * in a chunk adopted beforehand); `mark` >= 0 overwrites the worker's (it adds MARK_RESP).
   */
  pushRead(offset: number, frame: number, conn: number, mark: number): void {
    const i = this.count;
    const c = i >>> SHIFT;
    if (c !== this.cur) {
      if (c >= this.aC.length) throw new Error(`packet table: row ${i} has no chunk`);
      this.enterChunk(c);
    }
    const j = i & MASK;
    // (a 32-bit column would wrap: stdin and gzip inputs switch here, when it happens)
    if (offset >= 4294967296 && !this.wideOffsets) this.needWideOffsets();
    this.cOff[j] = offset;
    if (frame !== this.nextFrame) this.newRun(i, frame);
    else if (this.cFrame) this.cFrame[j] = frame;
    this.nextFrame = frame + 1;
    this.cConn[j] = conn;
    if (mark >= 0) this.cA.mark[j] = mark;
    this.count = i + 1;
  }

  /** Row i (the count) starts a new frame run. */
  private newRun(i: number, frame: number): void {
    if (this.cFrame) {
      this.cFrame[i & MASK] = frame;
      return;
    }
    // runs cost 16 bytes each: past one per 4 rows a column is smaller
    if (this.runs >= 1024 && this.runs * 4 > i) {
      this.toFrameColumn(i);
      this.cFrame![i & MASK] = frame;
      return;
    }
    if (this.runs === this.runRow.length) {
      const r = new Float64Array(this.runs * 2);
      r.set(this.runRow);
      this.runRow = r;
      const f = new Float64Array(this.runs * 2);
      f.set(this.runFrame);
      this.runFrame = f;
    }
    this.runRow[this.runs] = i;
    this.runFrame[this.runs] = frame;
    this.runs++;
  }

  /** Write the frames of rows [0, n) into a column and keep frames there from now on. */
  private toFrameColumn(n: number): void {
    const cols: Uint32Array[] = [];
    for (let c = 0; c < this.aC.length; c++) cols.push(new Uint32Array(CHUNK));
    for (let k = 0; k < this.runs; k++) {
      const end = k + 1 < this.runs ? this.runRow[k + 1]! : n;
      for (let i = this.runRow[k]!, f = this.runFrame[k]!; i < end; i++, f++) cols[i >>> SHIFT]![i & MASK] = f;
    }
    this.frameC = cols;
    this.cFrame = cols[this.cur];
    this.runRow = new Float64Array(0);
    this.runFrame = new Float64Array(0);
    this.runs = 0;
  }

  ts(i: number): number { return this.aC[i >>> SHIFT]!.ts[i & MASK]!; }
  offset(i: number): number { return this.offC[i >>> SHIFT]![i & MASK]!; }
  frame(i: number): number {
    if (this.frameC) return this.frameC[i >>> SHIFT]![i & MASK]!;
    // the last run starting at or before row i
    let lo = 0, hi = this.runs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runRow[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.runFrame[lo]! + (i - this.runRow[lo]!);
  }
  conn(i: number): number { return this.connC[i >>> SHIFT]![i & MASK]!; }
  seq(i: number): number { return this.aC[i >>> SHIFT]!.seq[i & MASK]!; }
  ack(i: number): number { return this.aC[i >>> SHIFT]!.ack[i & MASK]!; }
  len(i: number): number { return this.aC[i >>> SHIFT]!.len[i & MASK]!; }
  win(i: number): number { return this.aC[i >>> SHIFT]!.win[i & MASK]!; }
  flags(i: number): number { return this.aC[i >>> SHIFT]!.flags[i & MASK]!; }
  mark(i: number): number { return this.aC[i >>> SHIFT]!.mark[i & MASK]!; }
  setMark(i: number, m: number): void { this.aC[i >>> SHIFT]!.mark[i & MASK] = m; }

  setConn(i: number, conn: number): void { this.connC[i >>> SHIFT]![i & MASK] = conn; }
  orMark(i: number, bits: number): void { this.aC[i >>> SHIFT]!.mark[i & MASK]! |= bits; }

  /** Number of chunks; chunk k holds rows k * CHUNK_ROWS .. (bulk passes). */
  get chunks(): number {
    return this.connC.length;
  }

  /** Chunk k of the conn column (read-only: for bulk passes such as grouping rows by connection). */
  connChunk(k: number): Uint32Array {
    return this.connC[k]!;
  }

  /** The conn column's chunks (shared memory). */
  connChunks(): readonly Uint32Array[] {
    return this.connC;
  }

  /** Copy rows[from..to) into the arrays, see gatherRows. */
  gather(rows: Uint32Array, from: number, to: number, ts: Float64Array, flags: Uint8Array, seq: Uint32Array, ack: Uint32Array,
    len: Uint16Array, win: Uint16Array, mark: Uint8Array): void {
    gatherRows(this.aC, rows, from, to, ts, flags, seq, ack, len, win, mark);
  }

  /** The chunks of the columns the analysis reads (shared memory: they can be posted to a worker). */
  analysisColumns(): AnalysisColumns {
    return this.aC;
  }

  /** Rewrite every conn column entry through `map` (old index -> new index); nothing to do for the identity. */
  remapConns(map: Uint32Array): void {
    let same = true;
    for (let c = 0; c < map.length && same; c++) same = map[c] === c;
    if (same) return;
    for (let c = 0; c < this.connC.length; c++) {
      const col = this.connC[c]!;
      const n = c === this.connC.length - 1 ? this.count - (c << SHIFT) : CHUNK;
      for (let j = 0; j < n; j++) col[j] = map[col[j]!]!;
    }
  }

  /** Bytes held by the columns (for the benchmark's memory figures). */
  bytes(): number {
    const perRow = 8 + (this.wideOffsets ? 8 : 4) + (this.frameC ? 4 : 0) + 4 + 4 + 4 + 2 + 2 + 1 + 1;
    return this.aC.length * CHUNK * perRow + this.runRow.length * 16;
  }
}
