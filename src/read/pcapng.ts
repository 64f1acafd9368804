/**
 * pcapng reader (draft-ietf-opsawg-pcapng): a push parser over blocks. Packet blocks (EPB,
 * SPB, obsolete PB) go to the RecordSink as views into the pushed chunk; only a block that
 * straddles two chunks is copied into the reusable `carry`.
 *
 * Frame numbers follow tshark 4.x: EPB, SPB and obsolete PB are numbered, and so are the
 * non-packet records tshark shows as frames (Custom Blocks, systemd journal entries, sysdig
 * events); NRB, ISB, DSB and unknown blocks are not.
 *
 * Sections: every SHB sets the byte order and starts a new interface list. Interface numbers
 * handed to the sink are file-wide (first section's interfaces, then the next section's),
 * which is how tshark numbers frame.interface_id.
 */
import type { CaptureReader, InputIssue, RecordSink } from '../model.js';
import { IssueLimiter, hexBytes } from './issues.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2; // obsolete Packet Block
const SPB = 3;
const EPB = 6;
const JOURNAL = 9; // systemd journal export entry
const CB_COPY = 0x00000bad; // Custom Blocks
const CB_NO_COPY = 0x40000bad;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Wireshark refuses blocks over 16 MiB (MAX_BLOCK_SIZE); a longer one means a damaged length. */
export const MAX_BLOCK = 16 * 1024 * 1024 + 256 * 1024;

/** How an interface's timestamps turn into seconds + nanoseconds. */
const TS_USEC = 0; // 10^6 units: exact in doubles while the value is below 2^53
const TS_DIV = 1; // 10^k, k <= 11: long division in 16-bit limbs
const TS_POW2 = 2; // 2^k, k <= 23: shifts, nanoseconds exact in doubles
const TS_BIG = 3; // anything else: BigInt (rare resolutions only)

const P32 = 4294967296;

/** A block's length on disk, as Wireshark reads it: old writers left the data's padding out of the
 *  total length (both ends), not out of the block; rounded up to 4, it is found again. */
const up4 = (n: number): number => (n % 4 === 0 ? n : n + 4 - (n % 4));

function rd32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function rd16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

export class PcapngReader implements CaptureReader {
  private frame = 0;
  private offset = 0;
  private dead = false;
  private le = true;
  private sections = 0;
  /** file-wide number of this section's interface 0 */
  private ifBase = 0;
  // per interface of the current section (parallel arrays: no object per packet)
  private ifLink: number[] = [];
  private ifSnap: number[] = [];
  private ifKind: number[] = [];
  /** units per second for TS_DIV / TS_POW2 (as a number), exponent for TS_POW2 */
  private ifUnits: number[] = [];
  private ifExp: number[] = [];
  private ifBigUnits: (bigint | undefined)[] = [];
  private ifOffset: number[] = [];
  // a Buffer like the chunks, so that the decoders see one kind of array (one map: no deopt)
  private carry: Uint8Array = Buffer.alloc(0);
  private carryLen = 0;
  private readonly issues: IssueLimiter;
  // results of ts(), kept in fields to avoid returning a pair
  private tsSec = 0;
  private tsNsec = 0;
  /** blocks read whose total length was not a multiple of 4 (the first is reported) */
  private unpadded = 0;

  constructor(
    readonly file: string,
    private readonly sink: RecordSink,
  ) {
    this.issues = new IssueLimiter(file, sink);
  }

  get frames(): number {
    return this.frame;
  }

  get stopped(): boolean {
    return this.dead;
  }

  /** Link types of all interfaces seen so far in the current section. */
  get linktypes(): readonly number[] {
    return this.ifLink;
  }

  push(chunk: Uint8Array): void {
    if (this.dead || chunk.length === 0) return;
    let pos = 0;
    if (this.carryLen > 0) {
      pos = this.fillCarry(chunk);
      if (pos < 0) return;
    }
    this.run(chunk, pos, chunk.length);
  }

  end(): void {
    if (this.dead) return;
    if (this.carryLen > 0) {
      if (this.sections === 0) {
        if (this.carryLen >= 4 && rd32(this.carry, 0, true) !== SHB) this.badMagic(this.carry, 0);
        else this.stop(0, 'short-header', `file is ${this.carryLen} bytes, too short for a pcapng Section Header Block`, true);
        return;
      }
      const len = this.carryLen >= 12 ? this.blockLen(this.carry, 0) : -1;
      const what = len > 0 ? `${this.carryLen} of its ${len} bytes are present` : `only ${this.carryLen} bytes of its header are present`;
      this.issues.report({ offset: this.offset, severity: 'warning', code: 'truncated-block', message: `the file ends inside a block: ${what}` });
      this.carryLen = 0;
    } else if (this.sections === 0) {
      this.stop(0, 'short-header', 'file is empty: no pcapng Section Header Block', true);
      return;
    }
    if (this.unpadded > 1) this.issues.report({ severity: 'warning', code: 'block-length-unpadded', message: `${this.unpadded - 1} more 'block-length-unpadded' issues not shown` });
    this.issues.flush();
  }

  /** Complete the straddling block from chunk; returns the position after it, or -1. */
  private fillCarry(chunk: Uint8Array): number {
    let pos = 0;
    for (;;) {
      let need = 12;
      if (this.carryLen >= 12) {
        need = this.blockLen(this.carry, 0);
        if (need < 0 || !this.lenOk(this.carry, 0, need)) {
          // run() reports the damage with its offset
          const n = this.carryLen;
          this.carryLen = 0;
          this.run(this.carry, 0, n);
          return -1;
        }
        need = up4(need);
      }
      if (this.carryLen < need) {
        const take = Math.min(need - this.carryLen, chunk.length - pos);
        this.ensureCarry(this.carryLen + take);
        this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
        this.carryLen += take;
        pos += take;
        if (this.carryLen < need) return -1;
        if (need === 12) continue; // now the length can be read
      }
      const n = this.carryLen;
      this.carryLen = 0;
      this.run(this.carry, 0, n);
      return this.dead ? -1 : pos;
    }
  }

  private ensureCarry(n: number): void {
    if (this.carry.length >= n) return;
    const c = Buffer.allocUnsafe(Math.max(n, this.carry.length * 2, 4096));
    c.set(this.carry.subarray(0, this.carryLen));
    this.carry = c;
  }

  /**
   * Total length of the block at o (needs 12 bytes). An SHB sets the byte order first, from its
   * byte-order magic; -1 when that magic is neither order.
   */
  private blockLen(b: Uint8Array, o: number): number {
    if (rd32(b, o, true) === SHB) {
      const m = rd32(b, o + 8, true);
      if (m === BYTE_ORDER_MAGIC) this.le = true;
      else if (m === 0x4d3c2b1a) this.le = false;
      else return -1;
    }
    return rd32(b, o + 4, this.le);
  }

  private lenOk(_b: Uint8Array, _o: number, len: number): boolean {
    return len >= 12 && len <= MAX_BLOCK;
  }

  /** Consume whole blocks in b[pos, end); keep an incomplete tail in the carry. */
  private run(b: Uint8Array, pos: number, end: number): void {
    const p = this.blocks(b, pos, end);
    if (p < 0 || p >= end) return;
    const n = end - p;
    if (b === this.carry) this.carry.copyWithin(0, p, end);
    else {
      this.ensureCarry(n);
      this.carry.set(b.subarray(p, end), 0);
    }
    this.carryLen = n;
  }

  /**
   * The hot loop: every whole block in b[pos, end); returns the position after the last one, or
   * -1 when reading stopped. Only the loop is in here: code after a loop that V8 compiled
   * on-stack while it ran has no type feedback, and used to cost a deoptimization per chunk.
   */
  private blocks(b: Uint8Array, pos: number, end: number): number {
    while (end - pos >= 12) {
      const type = rd32(b, pos, this.le);
      if (this.sections === 0 && type !== SHB) {
        this.badMagic(b, pos);
        return -1;
      }
      const raw = this.blockLen(b, pos);
      if (raw < 0) {
        if (this.sections === 0) this.badMagic(b, pos);
        else this.stop(this.offset, 'bad-block', `Section Header Block has byte-order magic ${hexBytes(b, pos + 8, 4)}, not 1a2b3c4d in either order; reading stops here`);
        return -1;
      }
      if (!this.lenOk(b, pos, raw)) {
        const why = raw === 0 ? 'is zero' : raw < 12 ? 'is below the minimum of 12' : `exceeds ${MAX_BLOCK}`;
        this.stop(this.offset, 'bad-block-length', `block type 0x${type.toString(16)} has total length ${raw}, which ${why}; the block boundary is lost, reading stops here`);
        return -1;
      }
      const len = up4(raw);
      if (end - pos < len) break;
      const trail = rd32(b, pos + len - 4, this.le);
      if (up4(trail) !== len) {
        const read = raw !== len ? ` (read as ${len}, rounded up to a multiple of 4)` : '';
        this.stop(this.offset, 'bad-block-length', `block type 0x${type.toString(16)} has total length ${raw}${read} at its start but ${trail} at its end; the block boundary is lost, reading stops here`);
        return -1;
      }
      if ((raw !== len || trail !== len) && this.unpadded++ === 0) {
        this.issues.report({ offset: this.offset, severity: 'warning', code: 'block-length-unpadded', message: `block type 0x${type.toString(16)} has total length ${raw === len ? trail : raw}, not a multiple of 4 (an old writer's, without the padding): read as ${len}, as Wireshark does` });
      }
      switch (type) {
        case EPB: this.packet(b, pos, len, rd32(b, pos + 8, this.le), 12, 20, 28); break;
        case PB: this.packet(b, pos, len, rd16(b, pos + 8, this.le), 12, 20, 28); break;
        case SPB: this.simple(b, pos, len); break;
        case IDB: this.interface(b, pos, len); break;
        case SHB: this.section(b, pos, len); break;
        // records tshark numbers as frames without being packets: count them so frame numbers
        // stay tshark's, but hand nothing on
        case JOURNAL: case CB_COPY: case CB_NO_COPY:
        case 0x204: case 0x208: case 0x216: case 0x217: case 0x221: case 0x222: // sysdig events
          this.frame++;
          break;
        default: break; // NRB, ISB, DSB, unknown: nothing rsttui needs, not numbered by tshark
      }
      if (this.dead) return -1;
      pos += len;
      this.offset += len;
    }
    return pos;
  }

  /** EPB and obsolete PB: interface, 64-bit timestamp at tsAt, caplen/origlen at capAt, data at dataAt. */
  private packet(b: Uint8Array, pos: number, len: number, iface: number, tsAt: number, capAt: number, dataAt: number): void {
    const frame = ++this.frame;
    const le = this.le;
    const caplen = rd32(b, pos + capAt, le);
    const origlen = rd32(b, pos + capAt + 4, le);
    if (iface >= this.ifLink.length) {
      this.issues.report({ offset: this.offset, frame, severity: 'warning', code: 'unknown-interface', message: `packet block names interface ${iface}, but this section has ${this.ifLink.length} interface(s); block skipped` });
      return;
    }
    if (dataAt + caplen + 4 > len) {
      this.issues.report({ offset: this.offset, frame, severity: 'error', code: 'bad-caplen', message: `packet block of ${len} bytes claims ${caplen} captured bytes, more than it holds; block skipped` });
      return;
    }
    if (caplen > origlen) {
      this.issues.report({ offset: this.offset, frame, severity: 'warning', code: 'origlen-lt-caplen', message: `record ${frame}: original length ${origlen} is less than captured length ${caplen}` });
    }
    this.ts(iface, rd32(b, pos + tsAt, le), rd32(b, pos + tsAt + 4, le));
    this.sink.record(b, pos + dataAt, caplen, origlen, this.tsSec, this.tsNsec, this.ifLink[iface]!, this.ifBase + iface, frame, this.offset);
  }

  /** SPB: interface 0, no timestamp; captured length implied by the block length and snaplen. */
  private simple(b: Uint8Array, pos: number, len: number): void {
    const frame = ++this.frame;
    if (this.ifLink.length === 0) {
      this.issues.report({ offset: this.offset, frame, severity: 'warning', code: 'unknown-interface', message: 'Simple Packet Block before any Interface Description Block; block skipped' });
      return;
    }
    const origlen = rd32(b, pos + 8, this.le);
    const snap = this.ifSnap[0]!;
    let caplen = Math.min(origlen, len - 16);
    if (snap !== 0 && snap < caplen) caplen = snap;
    this.sink.record(b, pos + 12, caplen, origlen, 0, 0, this.ifLink[0]!, this.ifBase, frame, this.offset);
  }

  private section(b: Uint8Array, pos: number, len: number): void {
    const major = rd16(b, pos + 12, this.le);
    if (major !== 1) {
      this.stop(this.offset, 'bad-version', `Section Header Block version ${major}.${rd16(b, pos + 14, this.le)} is not 1.x; reading stops here`, this.sections === 0);
      return;
    }
    void len;
    this.sections++;
    this.ifBase += this.ifLink.length;
    this.ifLink = [];
    this.ifSnap = [];
    this.ifKind = [];
    this.ifUnits = [];
    this.ifExp = [];
    this.ifBigUnits = [];
    this.ifOffset = [];
  }

  private interface(b: Uint8Array, pos: number, len: number): void {
    const le = this.le;
    const link = rd16(b, pos + 8, le);
    const snap = rd32(b, pos + 12, le);
    let resol = 6;
    let offsetSec = 0;
    // options: code(2) length(2) value padded to 4, up to opt_endofopt or the trailer
    let o = pos + 16;
    const stop = pos + len - 4;
    while (o + 4 <= stop) {
      const code = rd16(b, o, le);
      const olen = rd16(b, o + 2, le);
      if (code === 0) break;
      const v = o + 4;
      if (v + olen > stop) {
        this.issues.report({ offset: this.offset, severity: 'warning', code: 'bad-option', message: `Interface Description Block option ${code} runs past the block end; remaining options ignored` });
        break;
      }
      if (code === 9 && olen >= 1) resol = b[v]!;
      else if (code === 14 && olen >= 8) {
        const hi = rd32(b, le ? v + 4 : v, le);
        const lo = rd32(b, le ? v : v + 4, le);
        offsetSec = (hi | 0) * P32 + lo; // signed 64-bit seconds (exact to 2^53)
      }
      o = v + ((olen + 3) & ~3);
    }
    const pow2 = (resol & 0x80) !== 0;
    const exp = resol & 0x7f;
    let kind: number;
    let units = 0;
    let big: bigint | undefined;
    if (!pow2 && exp === 6) kind = TS_USEC;
    else if (!pow2 && exp <= 11) {
      kind = TS_DIV;
      units = 10 ** exp;
    } else if (pow2 && exp <= 23) {
      kind = TS_POW2;
      units = 2 ** exp;
    } else {
      kind = TS_BIG;
      big = pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
    }
    this.ifLink.push(link);
    this.ifSnap.push(snap);
    this.ifKind.push(kind);
    this.ifUnits.push(units);
    this.ifExp.push(exp);
    this.ifBigUnits.push(big);
    this.ifOffset.push(offsetSec);
  }

  /**
   * Timestamp hi:lo (64 bits, in the interface's units) to tsSec/tsNsec, exactly, rounding the
   * nanoseconds down (as Wireshark does). No BigInt on the usual resolutions.
   */
  private ts(i: number, hi: number, lo: number): void {
    const kind = this.ifKind[i]!;
    let sec: number, nsec: number;
    if (kind === TS_USEC && hi < 0x200000) {
      const v = hi * P32 + lo; // < 2^53: exact
      sec = Math.floor(v / 1e6);
      let r = v - sec * 1e6;
      if (r < 0) { sec--; r += 1e6; } else if (r >= 1e6) { sec++; r -= 1e6; }
      nsec = r * 1000;
    } else if (kind === TS_USEC || kind === TS_DIV) {
      // long division of hi:lo by D in 16-bit limbs: every intermediate stays below 2^53
      const D = kind === TS_USEC ? 1e6 : this.ifUnits[i]!;
      const q1 = Math.floor(hi / D);
      let r = hi - q1 * D;
      let cur = r * 65536 + (lo >>> 16);
      const q2 = Math.floor(cur / D);
      r = cur - q2 * D;
      cur = r * 65536 + (lo & 0xffff);
      const q3 = Math.floor(cur / D);
      r = cur - q3 * D;
      sec = q1 * P32 + q2 * 65536 + q3;
      const e = kind === TS_USEC ? 6 : this.ifExp[i]!;
      nsec = e <= 9 ? r * 10 ** (9 - e) : Math.floor(r / 10 ** (e - 9));
    } else if (kind === TS_POW2) {
      const e = this.ifExp[i]!;
      const units = this.ifUnits[i]!;
      const lq = Math.floor(lo / units);
      sec = hi * 2 ** (32 - e) + lq;
      nsec = Math.floor(((lo - lq * units) * 1e9) / units); // frac < 2^23: product < 2^53
    } else {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      const u = this.ifBigUnits[i]!;
      sec = Number(v / u);
      nsec = Number(((v % u) * 1_000_000_000n) / u);
    }
    this.tsSec = sec + this.ifOffset[i]!;
    this.tsNsec = nsec;
  }

  private badMagic(b: Uint8Array, pos: number): void {
    this.stop(0, 'bad-magic', `not a pcapng file: first block type is ${hexBytes(b, pos, 4)}, not a Section Header Block (0a 0d 0d 0a)`, true);
  }

  private stop(offset: number, code: string, message: string, fatal = false): void {
    this.dead = true;
    this.carryLen = 0;
    const i: Omit<InputIssue, 'file'> = { offset, severity: 'error', code, message };
    if (fatal) i.fatal = true;
    this.issues.report(i);
    this.issues.flush();
  }
}
