/**
 * Classic pcap reader (libpcap savefile, draft-ietf-opsawg-pcap): a push parser that hands
 * every record to a RecordSink without allocating per record.
 *
 * Records are passed as (chunk, offset) views into the chunk being pushed. Only a record
 * that straddles two chunks is copied, into `carry`, which is reused and grows to the
 * largest straddling record (at most 16 + MAX_CAPLEN bytes).
 */
import type { CaptureReader, InputIssue, RecordSink } from '../model.js';
import { IssueLimiter, hexBytes } from './issues.js';

/** Largest record body accepted. Wireshark/libpcap use 262144 for most link types; a bigger
 *  caplen means the record header is garbage, and with it the position of every later record. */
export const MAX_CAPLEN = 262144;

const GLOBAL_LEN = 24;
const REC_HDR = 16;

/** What the first four bytes say: byte order and timestamp unit, or undefined. */
export function pcapMagic(b: Uint8Array, o = 0): { le: boolean; nsec: boolean } | undefined {
  if (b.length < o + 4) return undefined;
  const be = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  switch (be) {
    case 0xa1b2c3d4: return { le: false, nsec: false };
    case 0xd4c3b2a1: return { le: true, nsec: false };
    case 0xa1b23c4d: return { le: false, nsec: true };
    case 0x4d3cb2a1: return { le: true, nsec: true };
    default: return undefined;
  }
}

function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export class PcapReader implements CaptureReader {
  private frame = 0;
  /** file offset of the first byte not yet consumed (the next record header, or carry start) */
  private offset = 0;
  private headerDone = false;
  /** stopped: bad magic, absurd caplen... everything after is ignored */
  private dead = false;
  private le = true;
  private nsec = false;
  /** multiplier from the fraction field to nanoseconds, and the fraction's upper bound */
  private fracMul = 1000;
  private fracMax = 1_000_000;
  snaplen = 0;
  /** link type: low 16 bits of the header field (the upper bits carry FCS information) */
  linktype = 0;
  /** raw 32-bit link-type field, for FCS length bits (LT_FCS_LENGTH_PRESENT etc.) */
  linktypeField = 0;
  // a Buffer like the chunks, so that the decoders see one kind of array (one map: no deopt)
  private carry: Uint8Array = Buffer.alloc(0);
  private carryLen = 0;
  private readonly issues: IssueLimiter;

  constructor(
    private readonly file: string,
    private readonly sink: RecordSink,
  ) {
    this.issues = new IssueLimiter(file, sink);
  }

  get frames(): number {
    return this.frame;
  }

  /** Whether the reader stopped at an unrecoverable error. */
  get stopped(): boolean {
    return this.dead;
  }

  push(chunk: Uint8Array): void {
    if (this.dead || chunk.length === 0) return;
    let pos = 0;
    if (this.carryLen > 0 || !this.headerDone) {
      pos = this.fillCarry(chunk);
      if (pos < 0 || this.dead) return; // chunk used up, still incomplete
    }
    this.run(chunk, pos, chunk.length);
  }

  end(): void {
    if (this.dead) return;
    if (!this.headerDone) {
      if (this.carryLen >= 4 && pcapMagic(this.carry) === undefined) {
        this.parseGlobal(this.carry);
        return;
      }
      this.fatal(0, 'short-header', `file is ${this.carryLen} bytes, shorter than the 24-byte pcap global header`);
      return;
    }
    if (this.carryLen > 0) {
      const what = this.carryLen < REC_HDR
        ? `record header cut short (${this.carryLen} of 16 bytes)`
        : `record cut short: ${this.carryLen - REC_HDR} of ${u32(this.carry, 8, this.le)} captured bytes present`;
      this.report({ offset: this.offset, frame: this.frame + 1, severity: 'warning', code: 'truncated-record', message: `${what}; the file ends inside record ${this.frame + 1}` });
      this.carryLen = 0;
    }
    this.issues.flush();
  }

  /**
   * Append bytes from `chunk` to the carry until one unit (global header or record) is complete,
   * then consume it. Returns the position in chunk after it, or -1 when the chunk ran out or the
   * reader stopped.
   */
  private fillCarry(chunk: Uint8Array): number {
    let pos = 0;
    for (;;) {
      const need = this.carryNeed();
      if (need < 0) {
        // the pending header is already known to be bad: let the parsers report it
        const n = this.carryLen;
        this.carryLen = 0;
        if (!this.headerDone) this.parseGlobal(this.carry);
        else this.run(this.carry, 0, n);
        return -1;
      }
      if (this.carryLen < need) {
        const take = Math.min(need - this.carryLen, chunk.length - pos);
        this.ensureCarry(this.carryLen + take);
        this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
        this.carryLen += take;
        pos += take;
        if (this.carryLen < need) return -1;
        // a complete record header now tells the record length: go round again
        if (this.carryNeed() !== need) continue;
      }
      const n = this.carryLen;
      this.carryLen = 0;
      if (!this.headerDone) {
        this.parseGlobal(this.carry);
        this.offset = GLOBAL_LEN;
      } else {
        this.run(this.carry, 0, n); // exactly one whole record
      }
      return this.dead ? -1 : pos;
    }
  }

  /**
   * Bytes the carry must hold for the pending unit (no side effects); -1 when what is there
   * already shows the unit is bad (a wrong magic, an absurd caplen).
   */
  private carryNeed(): number {
    if (!this.headerDone) {
      // fail on the magic as soon as 4 bytes are there, without waiting for 24
      return this.carryLen >= 4 && pcapMagic(this.carry) === undefined ? -1 : GLOBAL_LEN;
    }
    if (this.carryLen < REC_HDR) return REC_HDR;
    const caplen = u32(this.carry, 8, this.le);
    return caplen > MAX_CAPLEN ? -1 : REC_HDR + caplen;
  }

  private ensureCarry(n: number): void {
    if (this.carry.length >= n) return;
    const c = Buffer.allocUnsafe(Math.max(n, this.carry.length * 2, 4096));
    c.set(this.carry.subarray(0, this.carryLen));
    this.carry = c;
  }

  private parseGlobal(b: Uint8Array): void {
    const m = pcapMagic(b);
    if (m === undefined) {
      this.fatal(0, 'bad-magic', `not a pcap file: magic ${hexBytes(b, 0, 4)} is none of a1b2c3d4/a1b23c4d in either byte order`);
      return;
    }
    this.le = m.le;
    this.nsec = m.nsec;
    this.fracMul = m.nsec ? 1 : 1000;
    this.fracMax = m.nsec ? 1_000_000_000 : 1_000_000;
    this.snaplen = u32(b, 16, m.le);
    this.linktypeField = u32(b, 20, m.le);
    this.linktype = this.linktypeField & 0xffff;
    this.headerDone = true;
  }

  /** Consume whole records in b[pos, end); keep an incomplete tail in the carry. */
  private run(b: Uint8Array, pos: number, end: number): void {
    const p = this.records(b, pos, end);
    if (p < 0) return; // stopped
    this.offset += p - pos;
    if (p < end) {
      // incomplete record at the end of this chunk: keep a copy for the next push
      const n = end - p;
      if (b === this.carry) {
        this.carry.copyWithin(0, p, end);
      } else {
        this.ensureCarry(n);
        this.carry.set(b.subarray(p, end), 0);
      }
      this.carryLen = n;
    }
  }

  /**
   * The hot loop: hand every whole record in b[pos, end) to the sink; returns the position after
   * the last one, or -1 when reading stopped. Fields are read with inline byte arithmetic (no
   * DataView, no closures) in one branch on byte order per record. Nothing but the loop is in
   * here: code after a loop that V8 compiled on-stack (OSR) while the loop ran has no type
   * feedback yet, and it used to throw the optimized code away once per chunk.
   */
  private records(b: Uint8Array, pos: number, end: number): number {
    const le = this.le;
    const fracMul = this.fracMul;
    const fracMax = this.fracMax;
    const snaplen = this.snaplen;
    const linktype = this.linktype;
    const sink = this.sink;
    let off = this.offset;
    while (end - pos >= REC_HDR) {
      let sec: number, frac: number, caplen: number, origlen: number;
      if (le) {
        sec = (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24)) >>> 0;
        frac = (b[pos + 4]! | (b[pos + 5]! << 8) | (b[pos + 6]! << 16) | (b[pos + 7]! << 24)) >>> 0;
        caplen = (b[pos + 8]! | (b[pos + 9]! << 8) | (b[pos + 10]! << 16) | (b[pos + 11]! << 24)) >>> 0;
        origlen = (b[pos + 12]! | (b[pos + 13]! << 8) | (b[pos + 14]! << 16) | (b[pos + 15]! << 24)) >>> 0;
      } else {
        sec = ((b[pos]! << 24) | (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!) >>> 0;
        frac = ((b[pos + 4]! << 24) | (b[pos + 5]! << 16) | (b[pos + 6]! << 8) | b[pos + 7]!) >>> 0;
        caplen = ((b[pos + 8]! << 24) | (b[pos + 9]! << 16) | (b[pos + 10]! << 8) | b[pos + 11]!) >>> 0;
        origlen = ((b[pos + 12]! << 24) | (b[pos + 13]! << 16) | (b[pos + 14]! << 8) | b[pos + 15]!) >>> 0;
      }
      if (caplen > MAX_CAPLEN) {
        this.absurdCaplen(off, caplen);
        return -1;
      }
      const total = REC_HDR + caplen;
      if (end - pos < total) break;
      const frame = ++this.frame;
      // rare cases leave the hot path through one combined test
      if (caplen > origlen || frac >= fracMax || (snaplen !== 0 && caplen > snaplen)) {
        this.oddRecord(off, frame, caplen, origlen, frac, snaplen);
        if (frac >= fracMax) {
          sec += Math.floor(frac / fracMax);
          frac %= fracMax;
        }
      }
      sink.record(b, pos + REC_HDR, caplen, origlen, sec, frac * fracMul, linktype, 0, frame, off);
      pos += total;
      off += total;
    }
    return pos;
  }

  private absurdCaplen(off: number, caplen: number): void {
    this.offset = off;
    this.fatal(off, 'absurd-caplen', `record ${this.frame + 1} claims ${caplen} captured bytes (more than ${MAX_CAPLEN}); the record boundary is lost, reading stops here`, this.frame + 1, false);
  }

  private oddRecord(off: number, frame: number, caplen: number, origlen: number, frac: number, snaplen: number): void {
    if (caplen > origlen) {
      this.report({ offset: off, frame, severity: 'warning', code: 'origlen-lt-caplen', message: `record ${frame}: original length ${origlen} is less than captured length ${caplen}` });
    }
    if (snaplen !== 0 && caplen > snaplen) {
      this.report({ offset: off, frame, severity: 'warning', code: 'caplen-gt-snaplen', message: `record ${frame}: captured length ${caplen} exceeds the file's snaplen ${snaplen}` });
    }
    if (frac >= this.fracMax) {
      this.report({ offset: off, frame, severity: 'warning', code: 'bad-timestamp', message: `record ${frame}: ${this.nsec ? 'nanosecond' : 'microsecond'} field ${frac} is not below ${this.fracMax}; carried into the seconds` });
    }
  }

  private report(i: Omit<InputIssue, 'file'>): void {
    this.issues.report(i);
  }

  private fatal(offset: number, code: string, message: string, frame?: number, fatal = true): void {
    this.dead = true;
    this.carryLen = 0;
    const i: Omit<InputIssue, 'file'> = { offset, severity: 'error', code, message };
    if (frame !== undefined) i.frame = frame;
    if (fatal) i.fatal = true;
    this.issues.report(i);
    this.issues.flush();
  }
}
