/**
 * Decoded packets in flight from the reader worker to the main thread: a fixed ring of batches in
 * shared memory (no copy, no serialisation), each a struct of arrays of BATCH_PACKETS rows.
 *
 * Hand-over: the worker fills batch k, sets state[k] = FULL and posts {k, n}; the main thread adds
 * the packets to its tables, sets state[k] = FREE and notifies. The worker waits (Atomics.wait)
 * only when it has caught up with the main thread, so reading and decoding run on one core while
 * the connection table is built on the other.
 *
 * The columns that do not depend on the connection (the analysis columns: ts, flags, seq, ack,
 * len, win, mark) the worker writes straight into packet-table chunks, which it makes and posts
 * with the batch that first uses them; the batch carries what the connection lookup needs.
 */
import type { InputIssue } from '../model.js';
import type { DecodeStats } from './decode-sink.js';
import type { NflogNotes } from './nflog-notes.js';
import type { AnalysisChunk } from './packet-table.js';
import { osBuffer } from './memory.js';

export const BATCH_PACKETS = 16384;
/**
 * Batches in the ring: both threads are preempted now and then on a busy machine, and a deeper
 * ring lets one run on while the other stalls (measured on the 10 M bench: 8 instead of 3 cut
 * the main thread's waits from ~270 to ~190 ms and the worker's from ~310 to ~190 ms; peak RSS
 * was the same, 536-538 MB, in both).
 */
export const RING = 8;
export const FREE = 0;
export const FULL = 1;

/** misc word: flags in bits 0-7, MARK_* bits 8-15, pcapng interface (14 bits) 16-29, IPv6 bit 30 */
export const MISC_V6 = 1 << 30;

/** bytes one batch takes: ts and offset (8 each), seven 4-byte columns, 32 bytes of IPv6 addresses */
const BYTES = BATCH_PACKETS * (16 + 28 + 32);

export class PacketBatch {
  readonly ts: Float64Array;
  readonly offset: Float64Array;
  /** IPv4 addresses (raw, as int32); for IPv6, unused (the bytes are in v6) */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** sport << 16 | dport */
  readonly ports: Uint32Array;
  readonly seq: Uint32Array;
  readonly frame: Uint32Array;
  readonly misc: Uint32Array;
  readonly plen: Uint32Array;
  /** IPv6 source (16 bytes) then destination (16 bytes) of row i at i * 32 */
  readonly v6: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer = osBuffer(BYTES, true)) {
    const n = BATCH_PACKETS;
    let o = 0;
    const f64 = (): Float64Array => { const a = new Float64Array(buffer, o, n); o += n * 8; return a; };
    const u32 = (): Uint32Array => { const a = new Uint32Array(buffer, o, n); o += n * 4; return a; };
    const i32 = (): Int32Array => { const a = new Int32Array(buffer, o, n); o += n * 4; return a; };
    this.ts = f64();
    this.offset = f64();
    this.src = i32();
    this.dst = i32();
    this.ports = u32();
    this.seq = u32();
    this.frame = u32();
    this.misc = u32();
    this.plen = u32();
    this.v6 = new Uint8Array(buffer, o, n * 32);
  }
}

/** What the worker is given. */
export interface WorkerTask {
  path: string;
  /** the name issues carry (stdin's is 'stdin') */
  file: string;
  batches: SharedArrayBuffer[];
  /** Int32Array over it: one FREE/FULL word per batch */
  state: SharedArrayBuffer;
  /** the packet-table row the file's first packet goes to */
  startRow: number;
  /** the analysis columns of that row's chunk, when it is part-filled (else the worker starts a chunk) */
  chunk: AnalysisChunk | undefined;
}

/** Messages from the worker. */
export type WorkerMessage =
  | { t: 'batch'; k: number; n: number; bytesRead: number; totalBytes: number | undefined; chunks: AnalysisChunk[] }
  | { t: 'issue'; issue: InputIssue }
  | { t: 'done'; tally: { stats: DecodeStats; linktypes: number[]; nsec: boolean; firstDamagedFrame: number; nflog: NflogNotes | undefined } };
