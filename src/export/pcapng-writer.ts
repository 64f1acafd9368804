/**
 * pcapng writer (little-endian, one section): an Interface Description Block per
 * (vantage, link type), written when that pair's first packet comes, and one Enhanced Packet
 * Block per packet holding the original bytes, lengths and timestamp, with an optional
 * `opt_comment` (Wireshark shows it as pkt_comment / frame.comment).
 */
import type { OutFile } from './atomic.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const EPB = 6;
const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const P32 = 4294967296;
/** opt_comment length is a u16; a longer comment is cut (ours are a few dozen bytes) */
const MAX_OPT = 0xfffc;

const pad4 = (n: number): number => (n + 3) & ~3;

export class PcapngWriter {
  /** (vantage << 16 | link type) -> interface id */
  private readonly ifaces = new Map<number, number>();
  private readonly ifNsec: boolean[] = [];
  /** packets written */
  count = 0;

  constructor(
    private readonly out: OutFile,
    userappl = 'rsttui',
  ) {
    const app = Buffer.from(userappl, 'utf8').subarray(0, MAX_OPT);
    const opts = 4 + pad4(app.length) + 4;
    const len = 28 + opts;
    out.u32(SHB);
    out.u32(len);
    out.u32(0x1a2b3c4d);
    out.u16(1);
    out.u16(0);
    out.u32(0xffffffff); // section length: not given
    out.u32(0xffffffff);
    this.option(SHB_USERAPPL, app);
    out.u16(OPT_END);
    out.u16(0);
    out.u32(len);
  }

  private option(code: number, value: Uint8Array): void {
    const o = this.out;
    o.u16(code);
    o.u16(value.length);
    o.bytesFrom(value, 0, value.length);
    o.zeros(pad4(value.length) - value.length);
  }

  /**
   * Interface id of (vantage, link type), writing its IDB the first time: if_name is the vantage
   * name, if_tsresol 9 (nanoseconds) when `nsec`, else the default microseconds.
   */
  iface(vantage: number, name: string, linktype: number, nsec: boolean, snaplen: number): number {
    const key = vantage * 65536 + linktype;
    const have = this.ifaces.get(key);
    if (have !== undefined) return have;
    const id = this.ifNsec.length;
    this.ifaces.set(key, id);
    this.ifNsec.push(nsec);
    const nm = Buffer.from(name, 'utf8').subarray(0, MAX_OPT);
    const opts = 4 + pad4(nm.length) + (nsec ? 8 : 0) + 4;
    const len = 20 + opts;
    const o = this.out;
    o.u32(IDB);
    o.u32(len);
    o.u16(linktype);
    o.u16(0);
    o.u32(snaplen);
    this.option(IF_NAME, nm);
    if (nsec) this.option(IF_TSRESOL, Uint8Array.of(9));
    o.u16(OPT_END);
    o.u16(0);
    o.u32(len);
    return id;
  }

  /** One EPB. `comment` (may be undefined) becomes its opt_comment. */
  packet(iface: number, data: Uint8Array, off: number, caplen: number, origlen: number, tsSec: number, tsNsec: number, comment: string | undefined): void {
    const o = this.out;
    let clen = comment === undefined ? 0 : Buffer.byteLength(comment, 'utf8');
    if (clen > MAX_OPT) {
      comment = Buffer.from(comment!, 'utf8').subarray(0, MAX_OPT).toString('utf8');
      clen = Buffer.byteLength(comment, 'utf8');
    }
    const opts = comment === undefined ? 0 : 4 + pad4(clen) + 4;
    const len = 32 + pad4(caplen) + opts;
    o.u32(EPB);
    o.u32(len);
    o.u32(iface);
    // 64-bit count of the interface's units, split into hi:lo without BigInt
    if (this.ifNsec[iface]) {
      // sec * 1e9 + nsec can exceed 2^53: multiply in 16-bit limbs of sec, every term exact
      const sh = Math.floor(tsSec / 65536);
      const sl = tsSec - sh * 65536;
      const a = sh * 1e9; // < 2^47
      const b = sl * 1e9 + tsNsec; // < 2^46
      const aHi = Math.floor(a / 65536);
      const aLo = a - aHi * 65536;
      const bHi = Math.floor(b / P32);
      const bLo = b - bHi * P32;
      const low = aLo * 65536 + bLo;
      const carry = Math.floor(low / P32);
      o.u32(aHi + bHi + carry);
      o.u32(low - carry * P32);
    } else {
      const v = tsSec * 1e6 + Math.floor(tsNsec / 1000); // < 2^53 until the year 2255
      const hi = Math.floor(v / P32);
      o.u32(hi);
      o.u32(v - hi * P32);
    }
    o.u32(caplen);
    o.u32(origlen);
    o.bytesFrom(data, off, caplen);
    o.zeros(pad4(caplen) - caplen);
    if (comment !== undefined) {
      o.u16(OPT_COMMENT);
      o.u16(clen);
      o.text(comment);
      o.zeros(pad4(clen) - clen);
      o.u16(OPT_END);
      o.u16(0);
    }
    o.u32(len);
    this.count++;
  }
}
