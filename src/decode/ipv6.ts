/**
 * IPv6 (RFC 8200) and the extension-header chain up to TCP.
 *   hop-by-hop 0, routing 43, destination options 60: next header, length in 8-octet
 *     units not counting the first 8;
 *   fragment 44: fixed 8 bytes; offset or M flag set means a real fragment (not reassembled);
 *     offset 0 with M clear is an "atomic fragment" and decoding goes on;
 *   AH 51: length in 4-octet units minus 2 (RFC 4302);
 *   ESP 50 (encrypted: what follows cannot be read) and no-next-header 59 stop: OTHER.
 */
import { hex, ipv6ToString } from './bytes.js';
import { DECODE, type DecodeStatus, type TcpFacts } from './facts.js';
import { type IpNext, IPPROTO_TCP, protoName } from './ipv4.js';
import { type Layer, field, layer, truncated } from './layer.js';
import { tcpFacts } from './tcp.js';

/** A longer chain than this is not a real packet; treat it as damaged rather than walk on. */
const MAX_EXT = 16;

/**
 * The end of the datagram by its payload length, not past the frame's reported end `rend` (the
 * length on the wire), as for IPv4 (ipv4End). 0 is a jumbogram (RFC 2675) or a
 * segmentation-offloaded send captured on the sender: the datagram is then the whole reported
 * frame, as for IPv4 total length 0. (tshark 4.0 takes such a datagram as its 40-byte header
 * and finds no TCP: a deliberate difference.)
 */
function ipv6End(data: Uint8Array, p: number, rend: number): number {
  const plen = (data[p + 4]! << 8) | data[p + 5]!;
  return plen === 0 || p + 40 + plen > rend ? rend : p + 40 + plen;
}

/** Hot path: the IPv6 header at `p` (captured up to `end`, reported up to `rend`), its extension headers, then TCP. */
export function ipv6Tcp(data: Uint8Array, p: number, end: number, f: TcpFacts, rend = end): DecodeStatus {
  if (p + 40 > end || data[p]! >> 4 !== 6) return DECODE.DAMAGED;
  const ipEnd = ipv6End(data, p, rend);
  let nh = data[p + 6]!;
  let q = p + 40;
  for (let n = 0; n < MAX_EXT; n++) {
    if (nh === IPPROTO_TCP) {
      f.ipVersion = 6;
      f.srcOff = p + 8;
      f.dstOff = p + 24;
      f.v4src = 0;
      f.v4dst = 0;
      return tcpFacts(data, q, ipEnd, end, f);
    }
    let len: number;
    if (nh === 0 || nh === 43 || nh === 60) {
      if (q + 8 > end) return DECODE.DAMAGED;
      len = (data[q + 1]! + 1) << 3;
    } else if (nh === 44) {
      if (q + 8 > end) return DECODE.DAMAGED;
      // offset (13 bits, 0xfff8) or M flag (0x0001); the two bits between are reserved
      if ((((data[q + 2]! << 8) | data[q + 3]!) & 0xfff9) !== 0) {
        return data[q]! === IPPROTO_TCP ? DECODE.FRAGMENT : DECODE.OTHER;
      }
      len = 8;
    } else if (nh === 51) {
      if (q + 8 > end) return DECODE.DAMAGED;
      len = (data[q + 1]! + 2) << 2;
    } else {
      return DECODE.OTHER; // ESP 50, no next header 59, UDP, ICMPv6, ...
    }
    if (q + len > ipEnd) return DECODE.DAMAGED;
    nh = data[q]!;
    q += len;
  }
  return DECODE.DAMAGED;
}

// ---- detail view (cold path) ----

const EXT_NAMES: Record<number, string> = {
  0: 'Hop-by-Hop Options', 43: 'Routing', 44: 'Fragment', 51: 'Authentication Header', 60: 'Destination Options',
};

/** The IPv6 layer at `p` (record starts at `off`, reported up to `rend`), the extension chain included in its fields. */
export function ipv6Detail(data: Uint8Array, off: number, p: number, end: number, out: Layer[], rend = end): IpNext {
  const l = layer('Internet Protocol Version 6', '', p - off, Math.min(p + 40, end) - off);
  out.push(l);
  const bad: IpNext = { status: DECODE.DAMAGED, proto: -1, off: p, ipEnd: p, firstFragment: false };
  if (p + 40 > end) {
    truncated(l, 'IPv6 header', 40, end - p);
    l.summary = 'truncated';
    return bad;
  }
  const w = ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
  const tc = (w >>> 20) & 0xff;
  field(l, 'Version', w >>> 28);
  field(l, 'Traffic class', `${hex(tc, 2)} (DSCP ${tc >> 2}, ECN ${tc & 3})`);
  field(l, 'Flow label', hex(w & 0xfffff, 5));
  const plen = (data[p + 4]! << 8) | data[p + 5]!;
  field(l, 'Payload length', plen === 0 ? '0 (jumbogram or segmentation offload: using the length on the wire)' : plen);
  field(l, 'Next header', protoName(data[p + 6]!));
  field(l, 'Hop limit', data[p + 7]!);
  const src = ipv6ToString(data, p + 8);
  const dst = ipv6ToString(data, p + 24);
  field(l, 'Source address', src);
  field(l, 'Destination address', dst);
  l.summary = `Src: ${src}, Dst: ${dst}`;
  if (w >>> 28 !== 6) {
    field(l, 'error', `version ${w >>> 28} is not 6`);
    return bad;
  }
  if (p + 40 + plen > rend) field(l, 'error', `payload length ${plen} runs past the frame (${rend - p - 40} bytes of it on the wire): the datagram is taken to end with the frame, as tshark does`);
  const ipEnd = ipv6End(data, p, rend);
  if (ipEnd > end) truncated(l, 'IPv6 datagram', ipEnd - p, end - p);
  let nh = data[p + 6]!;
  let q = p + 40;
  for (let n = 0; n < MAX_EXT; n++) {
    const name = EXT_NAMES[nh];
    if (name === undefined) {
      // Upper layer reached (or ESP / no next header, which end the chain).
      const status = nh === IPPROTO_TCP ? DECODE.TCP : DECODE.OTHER;
      if (nh === 50) field(l, 'Encapsulating Security Payload', 'encrypted: not decoded');
      if (nh === 59) field(l, 'No next header', '');
      return { status, proto: nh, off: q, ipEnd, firstFragment: false };
    }
    if (q + 8 > end) {
      truncated(l, `${name} header`, 8, end - q);
      return bad;
    }
    const len = nh === 44 ? 8 : nh === 51 ? (data[q + 1]! + 2) << 2 : (data[q + 1]! + 1) << 3;
    const next = data[q]!;
    let v = `${len} bytes, next header ${protoName(next)}`;
    if (nh === 43) v += `, routing type ${data[q + 2]!}, segments left ${data[q + 3]!}`;
    if (nh === 51) v += `, SPI ${hex(((data[q + 4]! << 24) | (data[q + 5]! << 16) | (data[q + 6]! << 8) | data[q + 7]!) >>> 0, 8)}`;
    if (nh === 44) {
      const fo = (data[q + 2]! << 8) | data[q + 3]!;
      const id = ((data[q + 4]! << 24) | (data[q + 5]! << 16) | (data[q + 6]! << 8) | data[q + 7]!) >>> 0;
      v += `, offset ${fo & 0xfff8}, M ${fo & 1}, id ${hex(id, 8)}`;
      field(l, name, v);
      if ((fo & 0xfff9) !== 0) {
        field(l, 'Fragment', `${(fo & 0xfff8) === 0 ? 'first fragment' : 'not the first fragment'}: not reassembled`);
        return { status: next === IPPROTO_TCP ? DECODE.FRAGMENT : DECODE.OTHER, proto: next, off: q + 8, ipEnd, firstFragment: (fo & 0xfff9) === 1 };
      }
    } else field(l, name, v);
    if (q + len > ipEnd || q + len > end) {
      truncated(l, `${name} header`, len, Math.min(ipEnd, end) - q);
      return bad;
    }
    nh = next;
    q += len;
    l.end = q - off;
  }
  field(l, 'error', `more than ${MAX_EXT} extension headers`);
  return bad;
}
