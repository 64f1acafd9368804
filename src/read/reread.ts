/**
 * Read back the original records of chosen frames of a capture, for the exports: rsttui keeps
 * no packet bytes in memory (the packet table holds each record's frame number and file offset),
 * so an export reads the inputs a second time.
 *
 * Two paths:
 * - plain (uncompressed) classic pcap: seek to each record's offset and read it (fast: only the
 *   wanted records are touched);
 * - anything else (gzip, pcapng): run the usual push reader over the file again, keeping only the
 *   wanted frame numbers, and stop as soon as the last one is seen.
 *
 * stdin and pipes cannot be read twice: rereadFrames refuses them with a clear error (the CLI's
 * `export` spools stdin to a temporary file before loading, so it never gets here with '-').
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { RecordSink } from '../model.js';
import { SourceError, openInput } from './source.js';
import { MAX_CAPLEN, PcapReader, pcapMagic } from './pcap.js';
import { PcapngReader } from './pcapng.js';

/** The capture cannot be read back as it was loaded. */
export class RereadError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** What an export needs to know about a capture before writing its own header. */
export interface CaptureHeader {
  kind: 'pcap' | 'pcapng';
  /** gzip-compressed on disk */
  compressed: boolean;
  /** classic pcap: nanosecond magic */
  nsec: boolean;
  /** classic pcap: the global header's snaplen (0 for pcapng) */
  snaplen: number;
  /** classic pcap: the raw 32-bit link-type field (FCS bits included; -1 for pcapng) */
  linktypeField: number;
}

/**
 * Handed each wanted record, in file order. `k` is the index into the wanted frames; `data` is
 * only valid during the call.
 */
export type RereadCallback = (
  k: number,
  data: Uint8Array,
  off: number,
  caplen: number,
  origlen: number,
  tsSec: number,
  tsNsec: number,
  linktype: number,
  iface: number,
  frame: number,
) => void;

export interface RereadRequest {
  path: string;
  /** wanted frame numbers (1-based, as the reader numbers them), strictly ascending */
  frames: Uint32Array;
  /** byte offsets of the same records in the (decompressed) file; enables the seek path for plain pcap */
  offsets?: ArrayLike<number>;
}

/** read-ahead window of the seek path */
const WINDOW = 1 << 20;

const u32 = (b: Uint8Array, o: number, le: boolean): number =>
  le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Refuse inputs that cannot be read a second time. */
export function assertRereadable(path: string): void {
  if (path === '-') {
    throw new RereadError('stdin cannot be read a second time to copy its packets; save the capture to a file first (e.g. tcpdump -w capture.pcap) and load that', 'stdin');
  }
  let regular = false;
  try {
    regular = statSync(path).isFile();
  } catch (e) {
    throw new RereadError(`${path} cannot be read again: ${(e as Error).message}`, path);
  }
  if (!regular) throw new RereadError(`${path} is not a regular file (a pipe or device) and cannot be read a second time; save the capture to a file first`, path);
}

/** Peek at a capture's first bytes (decompressing gzip) for its kind and classic-pcap header. */
export async function captureHeader(path: string): Promise<CaptureHeader> {
  assertRereadable(path);
  const input = await openInput(path);
  const it = input.chunks[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < 24) {
      const r = await it.next();
      if (r.done === true) break;
      parts.push(r.value);
      n += r.value.length;
    }
  } finally {
    await it.return?.();
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const compressed = input.source.compressed;
  if (input.kind === 'pcapng') return { kind: 'pcapng', compressed, nsec: false, snaplen: 0, linktypeField: -1 };
  const m = input.kind === 'pcap' ? pcapMagic(head) : undefined;
  if (m === undefined || head.length < 24) throw new RereadError(`${path} is no longer a pcap or pcapng capture (it changed since it was loaded?)`, path, 0);
  return { kind: 'pcap', compressed, nsec: m.nsec, snaplen: u32(head, 16, m.le), linktypeField: u32(head, 20, m.le) };
}

/**
 * Read the wanted records of one capture and hand each to `cb`, in file order. Throws a
 * RereadError when the file cannot be read or no longer holds every wanted record (it changed
 * since it was loaded); returns the number of records handed on (= frames.length).
 */
export async function rereadFrames(req: RereadRequest, cb: RereadCallback): Promise<number> {
  assertRereadable(req.path);
  if (req.frames.length === 0) return 0;
  const h = await captureHeader(req.path);
  if (h.kind === 'pcap' && !h.compressed && req.offsets !== undefined) return seekPcap(req, h, cb);
  return streamFrames(req, cb);
}

/**
 * Plain classic pcap: read each record at its known offset. Reads go through a 1 MiB window
 * that is refilled only when the next record is not inside it, so close-together records (the
 * usual case: a connection's packets) cost one read per window, not two per record.
 */
function seekPcap(req: RereadRequest, h: CaptureHeader, cb: RereadCallback): number {
  const { path, frames } = req;
  const offsets = req.offsets!;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const gh = Buffer.alloc(24);
    readSync(fd, gh, 0, 24, 0);
    const m = pcapMagic(gh);
    if (m === undefined) throw new RereadError(`${path} changed since it was loaded: it is no longer a pcap file`, path, 0);
    const fracMax = m.nsec ? 1_000_000_000 : 1_000_000;
    const fracMul = m.nsec ? 1 : 1000;
    const linktype = h.linktypeField & 0xffff;
    let win = Buffer.allocUnsafe(WINDOW);
    let wStart = 0, wEnd = 0;
    const fill = (at: number, need: number): void => {
      if (need > win.length) win = Buffer.allocUnsafe(need);
      const want = Math.min(win.length, size - at);
      let got = 0;
      while (got < want) {
        const r = readSync(fd, win, got, want - got, at + got);
        if (r === 0) break;
        got += r;
      }
      wStart = at;
      wEnd = at + got;
    };
    for (let k = 0; k < frames.length; k++) {
      const at = offsets[k]!;
      const changed = (what: string): RereadError =>
        new RereadError(`${path} changed since it was loaded: record ${frames[k]} at offset ${at} ${what}`, path, at);
      if (at + 16 > size) throw changed('is past the end of the file');
      if (at < wStart || at + 16 > wEnd) fill(at, 16);
      let p = at - wStart;
      const caplen = u32(win, p + 8, m.le);
      if (caplen > MAX_CAPLEN || at + 16 + caplen > size) throw changed(`has an impossible captured length ${caplen}`);
      if (at + 16 + caplen > wEnd) {
        fill(at, 16 + caplen);
        p = 0;
        if (at + 16 + caplen > wEnd) throw changed('is cut short');
      }
      let sec = u32(win, p, m.le);
      let frac = u32(win, p + 4, m.le);
      const origlen = u32(win, p + 12, m.le);
      if (frac >= fracMax) {
        // as the reader does: carry an out-of-range fraction into the seconds
        sec += Math.floor(frac / fracMax);
        frac %= fracMax;
      }
      cb(k, win, p + 16, caplen, origlen, sec, frac * fracMul, linktype, 0, frames[k]!);
    }
    return frames.length;
  } finally {
    closeSync(fd);
  }
}

/** Any capture the readers take: run the reader again, keep the wanted frames, stop after the last. */
async function streamFrames(req: RereadRequest, cb: RereadCallback): Promise<number> {
  const { path, frames } = req;
  const n = frames.length;
  let k = 0;
  /** a wanted frame the reader did not hand on (-1: none) */
  let missed = -1;
  let firstError = '';
  const sink: RecordSink = {
    record(data, off, caplen, origlen, tsSec, tsNsec, linktype, iface, frame) {
      // frames ascend in both lists: one cursor, no lookup structure
      if (missed >= 0 || k >= n) return;
      if (frames[k]! < frame) {
        missed = frames[k]!; // a wanted frame was not handed on: the file changed
        return;
      }
      if (frames[k] === frame) {
        cb(k, data, off, caplen, origlen, tsSec, tsNsec, linktype, iface, frame);
        k++;
      }
    },
    issue(i) {
      if (firstError === '' && i.severity === 'error') firstError = `${i.offset !== undefined ? `offset ${i.offset}: ` : ''}${i.message}`;
    },
  };
  const input = await openInput(path);
  const reader = input.kind === 'pcap' ? new PcapReader(path, sink) : input.kind === 'pcapng' ? new PcapngReader(path, sink) : undefined;
  if (reader === undefined) {
    await input.chunks[Symbol.asyncIterator]().return?.();
    throw new RereadError(`${path} is no longer a pcap or pcapng capture (it changed since it was loaded?)`, path, 0);
  }
  try {
    for await (const c of input.chunks) {
      reader.push(c);
      if (k >= n || missed >= 0 || reader.stopped) break; // leaving the loop closes the file
    }
  } catch (e) {
    // errors of the callback (the writer's) go on as they are; the source's are the file's
    if (e instanceof SourceError) throw new RereadError(`${path}: reading it again failed: ${e.message}`, path, e.offset);
    throw e;
  }
  if (k < n && missed < 0) {
    reader.end();
    missed = frames[k]!;
  }
  if (missed >= 0) {
    throw new RereadError(
      `${path} changed since it was loaded: record ${missed} is no longer there (${k} of the ${n} wanted records were found)${firstError ? `; ${firstError}` : ''}`,
      path,
    );
  }
  return n;
}
