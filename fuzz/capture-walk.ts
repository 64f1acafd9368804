/**
 * Where the length fields of a capture are, so that the mutator can damage them on purpose:
 * the pcap global header and record headers, the pcapng blocks (total lengths at both ends,
 * packet lengths, interface ids, option headers), and inside each packet the IP total length,
 * IHL, IPv6 payload length and TCP data offset. The walk is forgiving: it stops where the file
 * stops making sense (the mutator works on intact fixtures, or on the first damage's remains).
 */
import { decodeTcp } from '../src/decode/packet.js';
import { DECODE, newTcpFacts } from '../src/decode/facts.js';

/** An integer field of a capture: where, how wide, which byte order, what it holds. */
export interface Field {
  off: number;
  size: 1 | 2 | 4 | 8;
  le: boolean;
  name: string;
}

/** A record's packet bytes and link type. */
export interface Rec {
  /** offset of the record's header (pcap) or block (pcapng) */
  at: number;
  /** bytes of the record's header or block, trailer included */
  span: number;
  dataOff: number;
  caplen: number;
  linktype: number;
}

export interface Walk {
  format: 'pcap' | 'pcapng' | 'other';
  /** header and block fields: lengths, link types, ids */
  fields: Field[];
  records: Rec[];
  /** pcapng: every block's [offset, length] (for block splicing); pcap: every record's */
  units: [number, number][];
  /** bytes before the first unit (pcap global header); 0 for pcapng */
  head: number;
}

const rd32 = (b: Uint8Array, o: number, le: boolean): number =>
  o + 4 > b.length ? -1 : le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const rd16 = (b: Uint8Array, o: number, le: boolean): number =>
  o + 2 > b.length ? -1 : le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;

export function walk(b: Uint8Array): Walk {
  const m = rd32(b, 0, true);
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xd4c3b2a1 || m === 0x4d3cb2a1) return walkPcap(b, m === 0xa1b2c3d4 || m === 0xa1b23c4d);
  if (m === 0x0a0d0d0a) return walkPcapng(b);
  return { format: 'other', fields: [], records: [], units: [], head: 0 };
}

function walkPcap(b: Uint8Array, le: boolean): Walk {
  const f = (off: number, size: 2 | 4, name: string): Field => ({ off, size, le, name });
  const fields: Field[] = [f(4, 2, 'version major'), f(6, 2, 'version minor'), f(16, 4, 'snaplen'), f(20, 4, 'linktype')];
  const linktype = rd32(b, 20, le) & 0xffff;
  const records: Rec[] = [];
  const units: [number, number][] = [];
  let o = 24;
  while (o + 16 <= b.length && records.length < 100_000) {
    const caplen = rd32(b, o + 8, le);
    fields.push(f(o + 8, 4, 'caplen'), f(o + 12, 4, 'origlen'), f(o + 4, 4, 'ts fraction'));
    if (caplen > 262144 || o + 16 + caplen > b.length) break;
    records.push({ at: o, span: 16 + caplen, dataOff: o + 16, caplen, linktype });
    units.push([o, 16 + caplen]);
    o += 16 + caplen;
  }
  return { format: 'pcap', fields, records, units, head: 24 };
}

function walkPcapng(b: Uint8Array): Walk {
  const fields: Field[] = [];
  const records: Rec[] = [];
  const units: [number, number][] = [];
  let le = true;
  let links: number[] = [];
  let o = 0;
  while (o + 12 <= b.length && units.length < 100_000) {
    const type = rd32(b, o, le);
    if (type === 0x0a0d0d0a) {
      const bom = rd32(b, o + 8, true);
      if (bom === 0x4d3c2b1a) le = false;
      else if (bom === 0x1a2b3c4d) le = true;
      links = [];
    }
    const f = (off: number, size: 1 | 2 | 4 | 8, name: string): Field => ({ off, size, le, name });
    const len = rd32(b, o + 4, le);
    fields.push(f(o + 4, 4, 'block total length'));
    // (a length not a multiple of 4 is rounded up, as the readers do)
    if (len < 12 || o + len + (-len & 3) > b.length) break;
    const span = len + (-len & 3);
    fields.push(f(o + span - 4, 4, 'block trailing length'), f(o, 4, 'block type'));
    units.push([o, span]);
    let opts = -1;
    if (type === 0x0a0d0d0a) {
      fields.push(f(o + 8, 4, 'byte-order magic'), f(o + 12, 2, 'version major'), f(o + 16, 8, 'section length'));
      opts = o + 24;
    } else if (type === 1) {
      links.push(rd16(b, o + 8, le));
      fields.push(f(o + 8, 2, 'IDB linktype'), f(o + 12, 4, 'IDB snaplen'));
      opts = o + 16;
    } else if (type === 6 || type === 2) {
      const epb = type === 6;
      const ifid = epb ? rd32(b, o + 8, le) : rd16(b, o + 8, le);
      const caplen = rd32(b, o + 20, le);
      fields.push(f(o + 8, epb ? 4 : 2, 'interface id'), f(o + 20, 4, 'caplen'), f(o + 24, 4, 'origlen'));
      if (caplen <= len - 32) {
        records.push({ at: o, span: len, dataOff: o + 28, caplen, linktype: links[ifid] ?? 1 });
        opts = o + 28 + ((caplen + 3) & ~3);
      }
    } else if (type === 3) {
      fields.push(f(o + 8, 4, 'SPB origlen'));
      const caplen = Math.min(rd32(b, o + 8, le), len - 16);
      records.push({ at: o, span: len, dataOff: o + 12, caplen, linktype: links[0] ?? 1 });
    }
    // option headers: code and length of each, up to the block's trailer
    for (let q = opts; opts >= 0 && q + 4 <= o + span - 4;) {
      const code = rd16(b, q, le), olen = rd16(b, q + 2, le);
      fields.push(f(q, 2, `option ${code} code`), f(q + 2, 2, `option ${code} length`));
      if (code === 9 && type === 1 && q + 4 < b.length) fields.push(f(q + 4, 1, 'if_tsresol'));
      if (code === 0) break;
      q += 4 + ((olen + 3) & ~3);
    }
    o += span;
  }
  return { format: 'pcapng', fields, records, units, head: 0 };
}

/** The IP and TCP header fields of one record, where it decodes as TCP. */
export function packetFields(b: Uint8Array, r: Rec): Field[] {
  const f = newTcpFacts();
  const end = Math.min(b.length, r.dataOff + r.caplen);
  if (decodeTcp(b, r.dataOff, end - r.dataOff, r.caplen, r.linktype, f) !== DECODE.TCP) return [];
  const be = (off: number, size: 1 | 2 | 4, name: string): Field => ({ off, size, le: false, name });
  const out: Field[] = [];
  let tcp: number;
  if (f.ipVersion === 4) {
    const ip = f.srcOff - 12;
    out.push(be(ip + 2, 2, 'IPv4 total length'), be(ip, 1, 'IPv4 version/IHL'), be(ip + 6, 2, 'IPv4 fragment field'), be(ip + 9, 1, 'IPv4 protocol'));
    tcp = ip + ((b[ip]! & 15) << 2);
  } else {
    const ip = f.srcOff - 8;
    out.push(be(ip + 4, 2, 'IPv6 payload length'), be(ip + 6, 1, 'IPv6 next header'));
    // the TCP header is the one whose ports are these, after the extension headers
    tcp = ip + 40;
    while (tcp + 4 <= end && !(rd16(b, tcp, false) === f.sport && rd16(b, tcp + 2, false) === f.dport)) tcp++;
  }
  if (tcp + 20 <= end) {
    out.push(be(tcp + 12, 1, 'TCP data offset'), be(tcp + 13, 1, 'TCP flags'), be(tcp + 4, 4, 'TCP seq'), be(tcp + 8, 4, 'TCP ack'), be(tcp + 14, 2, 'TCP window'));
    // TLS record header length, where the payload starts with one
    const p = f.payloadOff;
    if (f.payloadCaptured >= 5 && b[p]! >= 20 && b[p]! <= 24 && b[p + 1] === 3) out.push(be(p + 3, 2, 'TLS record length'), be(p, 1, 'TLS content type'));
  }
  return out;
}
