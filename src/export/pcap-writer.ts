/**
 * Classic pcap writer (libpcap savefile, little-endian). Packet bytes, captured and original
 * lengths and timestamps are the input's; only the record headers are rewritten, in one byte
 * order, with the timestamp unit of the output (nanosecond magic when an input had nanoseconds,
 * so nothing is rounded).
 *
 * A pcap file has one link type for every record: the first packet's link type is written in
 * the header (written lazily, at the first packet), and a packet of another link type is an
 * ExportError that tells the user to use pcapng.
 */
import { LINKTYPE } from '../model.js';
import { ExportError, type OutFile } from './atomic.js';

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;

/** A readable name for the link types rsttui knows, for error messages. */
export function linktypeName(lt: number): string {
  const names: Record<number, string> = {
    [LINKTYPE.NULL]: 'BSD loopback',
    [LINKTYPE.ETHERNET]: 'Ethernet',
    [LINKTYPE.RAW]: 'raw IP',
    [LINKTYPE.LOOP]: 'OpenBSD loopback',
    [LINKTYPE.LINUX_SLL]: 'Linux cooked v1',
    [LINKTYPE.IPV4]: 'raw IPv4',
    [LINKTYPE.IPV6]: 'raw IPv6',
    [LINKTYPE.NFLOG]: 'NFLOG',
    [LINKTYPE.LINUX_SLL2]: 'Linux cooked v2',
  };
  const n = names[lt];
  return n === undefined ? `link type ${lt}` : `${lt} (${n})`;
}

export interface PcapWriterOptions {
  /** nanosecond timestamps (magic a1b23c4d) */
  nsec: boolean;
  snaplen: number;
  /**
   * The raw 32-bit link-type field to write for a link type (keeps FCS bits of a classic-pcap
   * input); default: the link type itself.
   */
  linktypeField?: (linktype: number) => number;
  /** used for the header when no packet is written at all */
  emptyLinktype?: number;
}

export class PcapWriter {
  private linktype = -1;
  /** records written */
  count = 0;

  constructor(
    private readonly out: OutFile,
    private readonly opts: PcapWriterOptions,
  ) {}

  private header(linktype: number): void {
    const o = this.out;
    o.u32(this.opts.nsec ? MAGIC_NSEC : MAGIC_USEC);
    o.u16(2);
    o.u16(4);
    o.u32(0); // thiszone
    o.u32(0); // sigfigs
    o.u32(this.opts.snaplen);
    o.u32(this.opts.linktypeField?.(linktype) ?? linktype);
    this.linktype = linktype;
  }

  /**
   * Append one record. `where` names the packet for the error message of a link-type clash
   * (called only then, so no string is built per packet).
   */
  record(data: Uint8Array, off: number, caplen: number, origlen: number, tsSec: number, tsNsec: number, linktype: number, where?: () => string): void {
    if (this.linktype < 0) this.header(linktype);
    else if (linktype !== this.linktype) {
      throw new ExportError(
        `the selected packets have different link types, ${linktypeName(this.linktype)} and ${linktypeName(linktype)}${where ? ` (${where()})` : ''}; ` +
          'a pcap file holds one link type: export to pcapng instead (--format pcapng, or an OUT ending in .pcapng)',
        2,
        'mixed-linktypes',
      );
    }
    const o = this.out;
    o.u32(tsSec);
    o.u32(this.opts.nsec ? tsNsec : Math.floor(tsNsec / 1000));
    o.u32(caplen);
    o.u32(origlen);
    o.bytesFrom(data, off, caplen);
    this.count++;
  }

  /** Write the header if no record did. */
  finish(): void {
    if (this.linktype < 0) this.header(this.opts.emptyLinktype ?? LINKTYPE.ETHERNET);
  }
}
