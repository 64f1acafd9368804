/**
 * IPv4 (RFC 791). The hot path only checks what it must to trust the TCP header behind it;
 * it does not verify the checksum (captures taken on the sending host carry offloaded,
 * not-yet-computed checksums) and does not reassemble fragments: a fragmented TCP segment
 * is reported as FRAGMENT so it is counted, never guessed at.
 */
import { hex, ipToString } from './bytes.js';
import { DECODE, type DecodeStatus, type TcpFacts } from './facts.js';
import { type Layer, field, layer, truncated } from './layer.js';
import { tcpFacts } from './tcp.js';

export const IPPROTO_TCP = 6;

const PROTO_NAMES: Record<number, string> = {
  0: 'HOPOPT', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 43: 'IPv6-Route',
  44: 'IPv6-Frag', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 59: 'IPv6-NoNxt', 60: 'IPv6-Opts',
  89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP', 136: 'UDPLite',
};

export function protoName(p: number): string {
  return `${PROTO_NAMES[p] ?? 'unknown'} (${p})`;
}

/**
 * Where the datagram at `p` ends, as tshark takes it: at its total length, but not past the
 * frame's reported end `rend` (the length on the wire: a frame shorter than its IP length, e.g.
 * sliced by a packet broker that rewrote the length, has only what it reports; tshark's
 * set_actual_length never lengthens). Ethernet padding and trailers after the datagram are not
 * part of it, and a snaplen cut (captured < reported) does not shorten it. A total length of 0
 * is what a capture on the sender shows for a segment handed to the NIC for segmentation
 * offload (TSO): the datagram is then the whole reported frame.
 */
export function ipv4End(data: Uint8Array, p: number, rend: number): number {
  const total = (data[p + 2]! << 8) | data[p + 3]!;
  return total === 0 || p + total > rend ? rend : p + total;
}

/**
 * Hot path: the IPv4 header at `p` (record bytes captured up to `end`, reported up to `rend`),
 * then TCP. Non-TCP is OTHER even when fragmented: only TCP fragments matter to rsttui.
 */
export function ipv4Tcp(data: Uint8Array, p: number, end: number, f: TcpFacts, rend = end): DecodeStatus {
  if (p + 20 > end) return DECODE.DAMAGED;
  const b0 = data[p]!;
  const ihl = (b0 & 0x0f) << 2;
  if (b0 >> 4 !== 4 || ihl < 20 || p + ihl > end) return DECODE.DAMAGED;
  const total = (data[p + 2]! << 8) | data[p + 3]!;
  if (total !== 0 && total < ihl) return DECODE.DAMAGED;
  if (data[p + 9] !== IPPROTO_TCP) return DECODE.OTHER;
  // More-fragments flag (0x2000) or a fragment offset (0x1fff): part of a fragmented datagram.
  if ((((data[p + 6]! << 8) | data[p + 7]!) & 0x3fff) !== 0) return DECODE.FRAGMENT;
  f.ipVersion = 4;
  f.srcOff = p + 12;
  f.dstOff = p + 16;
  f.v4src = ((data[p + 12]! << 24) | (data[p + 13]! << 16) | (data[p + 14]! << 8) | data[p + 15]!) >>> 0;
  f.v4dst = ((data[p + 16]! << 24) | (data[p + 17]! << 16) | (data[p + 18]! << 8) | data[p + 19]!) >>> 0;
  return tcpFacts(data, p + ihl, ipv4End(data, p, rend), end, f);
}

// ---- detail view (cold path) ----

/** Where the detail walk goes after an IP layer. */
export interface IpNext {
  status: DecodeStatus;
  /** upper-layer protocol number */
  proto: number;
  /** offset of the upper-layer header */
  off: number;
  /** first byte past the IP datagram as its header states it */
  ipEnd: number;
  /** a first fragment (offset 0, more to come): its upper-layer header is here, its payload is not whole */
  firstFragment: boolean;
}

const OPTION_NAMES: Record<number, string> = {
  0: 'End of Option List', 1: 'No-Operation', 7: 'Record Route', 68: 'Time Stamp', 130: 'Security',
  131: 'Loose Source Route', 133: 'Extended Security', 136: 'Stream ID', 137: 'Strict Source Route',
  82: 'Traceroute', 148: 'Router Alert', 134: 'Commercial Security',
};

/** IPv4 options as `name: value` pairs; stops at End of Option List or a bad length. */
export function ipv4Options(data: Uint8Array, from: number, to: number): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  let q = from;
  while (q < to) {
    const kind = data[q]!;
    const name = `${OPTION_NAMES[kind] ?? 'Unknown option'} (${kind})`;
    if (kind === 0) {
      out.push({ name: 'Option', value: name });
      break;
    }
    if (kind === 1) {
      out.push({ name: 'Option', value: name });
      q++;
      continue;
    }
    if (q + 2 > to) {
      out.push({ name: 'Option', value: `${name}: length byte missing` });
      break;
    }
    const len = data[q + 1]!;
    if (len < 2 || q + len > to) {
      out.push({ name: 'Option', value: `${name}: bad length ${len}` });
      break;
    }
    let v = `${name}, length ${len}`;
    if (kind === 148 && len === 4) v += `: ${((data[q + 2]! << 8) | data[q + 3]!) === 0 ? 'every router examines' : 'value ' + ((data[q + 2]! << 8) | data[q + 3]!)}`;
    else if ((kind === 7 || kind === 131 || kind === 137) && len >= 3) {
      const addrs: string[] = [];
      for (let a = q + 3; a + 4 <= q + len; a += 4) addrs.push(ipToString(data, a));
      v += `: pointer ${data[q + 2]!}${addrs.length ? ', ' + addrs.join(' ') : ''}`;
    } else if (len > 2) v += ': ' + Array.from(data.subarray(q + 2, q + len), (b) => b.toString(16).padStart(2, '0')).join('');
    out.push({ name: 'Option', value: v });
    q += len;
  }
  return out;
}

/** The IPv4 layer at `p` (record starts at `off`, reported up to `rend`); returns where to go next. */
export function ipv4Detail(data: Uint8Array, off: number, p: number, end: number, out: Layer[], rend = end): IpNext {
  const l = layer('Internet Protocol Version 4', '', p - off, Math.min(p + 20, end) - off);
  out.push(l);
  const bad: IpNext = { status: DECODE.DAMAGED, proto: -1, off: p, ipEnd: p, firstFragment: false };
  if (p + 20 > end) {
    truncated(l, 'IPv4 header', 20, end - p);
    l.summary = 'truncated';
    return bad;
  }
  const b0 = data[p]!;
  const ihl = (b0 & 0x0f) << 2;
  field(l, 'Version', b0 >> 4);
  field(l, 'Header length', `${ihl} bytes (${b0 & 0x0f})`);
  const tos = data[p + 1]!;
  field(l, 'Differentiated services', `${hex(tos, 2)} (DSCP ${tos >> 2}, ECN ${tos & 3})`);
  const rawTotal = (data[p + 2]! << 8) | data[p + 3]!;
  field(l, 'Total length', rawTotal === 0 ? '0 (presumed segmentation offload: using the length on the wire)' : rawTotal);
  const id = (data[p + 4]! << 8) | data[p + 5]!;
  field(l, 'Identification', `${hex(id, 4)} (${id})`);
  const ff = (data[p + 6]! << 8) | data[p + 7]!;
  const flags = [ff & 0x8000 ? 'reserved' : '', ff & 0x4000 ? "Don't fragment" : '', ff & 0x2000 ? 'More fragments' : '']
    .filter((s) => s !== '')
    .join(', ');
  field(l, 'Flags', `${hex(ff >> 13, 1)}${flags ? ' (' + flags + ')' : ''}`);
  field(l, 'Fragment offset', `${(ff & 0x1fff) * 8} bytes`);
  field(l, 'Time to live', data[p + 8]!);
  const proto = data[p + 9]!;
  field(l, 'Protocol', protoName(proto));
  field(l, 'Header checksum', `${hex((data[p + 10]! << 8) | data[p + 11]!, 4)} (not verified)`);
  const src = ipToString(data, p + 12);
  const dst = ipToString(data, p + 16);
  field(l, 'Source address', src);
  field(l, 'Destination address', dst);
  l.summary = `Src: ${src}, Dst: ${dst}`;
  if (b0 >> 4 !== 4 || ihl < 20) {
    field(l, 'error', `bad version/header length byte ${hex(b0, 2)}`);
    return bad;
  }
  l.end = Math.min(p + ihl, end) - off;
  if (p + ihl > end) {
    truncated(l, 'IPv4 options', ihl, end - p);
    return bad;
  }
  for (const o of ipv4Options(data, p + 20, p + ihl)) l.fields.push(o);
  if (rawTotal !== 0 && rawTotal < ihl) {
    field(l, 'error', `total length ${rawTotal} is shorter than the header (${ihl})`);
    return bad;
  }
  if (p + rawTotal > rend) field(l, 'error', `total length ${rawTotal} runs past the frame (${rend - p} bytes of it on the wire): the datagram is taken to end with the frame, as tshark does`);
  const total = ipv4End(data, p, rend) - p;
  if (p + total > end) truncated(l, 'IPv4 datagram', total, end - p);
  // As on the hot path: only a TCP fragment is FRAGMENT; anything else not TCP is OTHER.
  const status = proto !== IPPROTO_TCP ? DECODE.OTHER : (ff & 0x3fff) !== 0 ? DECODE.FRAGMENT : DECODE.TCP;
  if ((ff & 0x3fff) !== 0) {
    field(l, 'Fragment', (ff & 0x1fff) === 0 ? 'first fragment: not reassembled' : 'not the first fragment: not reassembled');
  }
  return { status, proto, off: p + ihl, ipEnd: p + total, firstFragment: (ff & 0x3fff) === 0x2000 };
}
