/**
 * `flows --format ndjson` written during the verdict pass: each thread writes the lines of the
 * blocks of connections it has just analysed (the analysis worker too), and the main thread
 * hands them on in order. At 10 M packets the lines took ~0.5 s on the main thread alone once
 * the pass was over; now both threads share them, as they share the verdicts.
 *
 * It applies when every field of a line is final once its block is analysed: one capture and no
 * firewall logs (else the pass is followed by the firewall's and the other vantages' anomalies).
 * What the worker reads is sent here as shared columns; the lines are FlowLineEncoder's.
 */
import type { ConnTable } from '../flows/conn-table.js';
import type { AddrTable } from '../flows/addr-table.js';
import { FlowLineEncoder, type ByteLines, type FlowSource } from './flow-bytes.js';

/** The columns a line is made of, in shared memory, and the few texts beside them (structured-cloneable). */
export interface FlowShare {
  cols: Omit<FlowSource, 'history' | 'v4Value' | 'text' | 'vantageNames' | 'firewallJson'>;
  /** per address id: its IPv4 value, or -1 (its text is in `texts`) */
  v4: Float64Array;
  texts: [number, string][];
  /** vantage names, by vantage index */
  names: string[];
}

/**
 * The share of a table after renumbering and before the pass. Its columns are in shared memory
 * already (the connection table allocates them there), the pass's output columns too when a
 * worker runs it.
 */
export function shareFlows(conns: ConnTable, addrs: AddrTable, names: string[]): FlowShare {
  const c = conns;
  const v4 = new Float64Array(new SharedArrayBuffer(8 * Math.max(addrs.count, 1)));
  const texts: [number, string][] = [];
  for (let id = 0; id < addrs.count; id++) {
    v4[id] = addrs.v4Value(id);
    if (v4[id]! < 0) texts.push([id, addrs.text(id)]);
  }
  return {
    cols: {
      origAddr: c.origAddr, respAddr: c.respAddr, origPort: c.origPort, respPort: c.respPort, firstTs: c.firstTs, lastTs: c.lastTs,
      origPkts: c.origPkts, respPkts: c.respPkts, origBytes: c.origBytes, respBytes: c.respBytes, connState: c.connState,
      teardown: c.teardown, closedBy: c.closedBy, anomalies: c.anomalies, vantageMask: c.vantageMask,
    },
    v4, texts, names,
  };
}

/** The lines' source over a share, with each connection's history from `history`. */
export function sharedFlows(s: FlowShare, history: (i: number) => string): FlowSource {
  const texts = new Map(s.texts);
  return {
    ...s.cols,
    history,
    v4Value: (id) => s.v4[id]!,
    text: (id) => texts.get(id) ?? '',
    vantageNames: (mask) => s.names.filter((_, v) => v < 32 && (mask & (1 << v)) !== 0),
    firewallJson: () => '[]',
  };
}

/** Lines into one growing buffer (a block's). */
class BlockBytes implements ByteLines {
  buffer: Uint8Array;
  end = 0;
  constructor(size: number) {
    this.buffer = new Uint8Array(size);
  }
  reserve(n: number): number {
    if (this.end + n > this.buffer.length) {
      const b = new Uint8Array(Math.max(this.end + n, this.buffer.length * 2));
      b.set(this.buffer.subarray(0, this.end));
      this.buffer = b;
    }
    return this.end;
  }
  commit(end: number): void {
    this.end = end;
  }
}

/** The lines of connections [from, to), as one buffer of bytes (~330 a line on the benchmark). */
export function encodeBlock(enc: FlowLineEncoder, from: number, to: number): Uint8Array {
  const out = new BlockBytes(Math.max(to - from, 1) * 400);
  for (let i = from; i < to; i++) enc.write(out, i);
  return out.buffer.subarray(0, out.end);
}

/** Hands blocks of lines on in connection order, whichever thread wrote them and whenever. */
export class OrderedLines {
  /** the first connection whose line is not handed on yet */
  private next = 0;
  private readonly pending = new Map<number, Uint8Array>();

  constructor(private readonly n: number, private readonly block: number, private readonly sink: (bytes: Uint8Array) => void) {}

  /** The lines of the block starting at connection `from` (again: ignored). */
  put(from: number, bytes: Uint8Array): void {
    if (from < this.next || this.pending.has(from)) return;
    this.pending.set(from, bytes);
    for (let b = this.pending.get(this.next); b !== undefined; b = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.sink(b);
      this.next += this.block;
    }
  }

  /** The first connection whose block is still missing (n: none). */
  get missing(): number {
    return Math.min(this.next, this.n);
  }
}
