/**
 * The full per-layer decode for the packet-detail view: every header field, every option,
 * TLS record headers, and a `truncated` field where the captured bytes run out. Cold path
 * (one packet at a time, on demand), so it builds plain objects freely. Byte ranges are
 * relative to the record's first byte, for highlighting in a hex dump of the record.
 */
import { ethernetDetail } from './ethernet.js';
import { DECODE } from './facts.js';
import { type IpNext, ipv4Detail, protoName } from './ipv4.js';
import { ipv6Detail } from './ipv6.js';
import { type Layer, field, layer, truncated } from './layer.js';
import { LINK, LINK_OTHER } from './link.js';
import { nflogDetail } from './nflog.js';
import { loopDetail, nullDetail } from './null.js';
import { sll2Detail, sllDetail } from './sll.js';
import { tcpDetail } from './tcp.js';
import { tlsDetail } from './tls.js';
import { LINKTYPE } from '../model.js';

export type { Field, Layer } from './layer.js';

type DetailFn = (data: Uint8Array, off: number, end: number, out: Layer[]) => number;

function rawDetail(name: string, version: number): DetailFn {
  return (data, off, end, out) => {
    const l = layer(name, '', 0, 0);
    out.push(l);
    if (off >= end) {
      truncated(l, 'packet', 1, 0);
      return -2;
    }
    const v = version || data[off]! >> 4;
    field(l, 'Encapsulation', version ? `IPv${version} (link type)` : `IPv${v} (from the version nibble)`);
    l.summary = `no link header, IPv${v}`;
    if (v !== 4 && v !== 6) return LINK_OTHER;
    LINK.ipVersion = v;
    return off;
  };
}

const DETAILS: Record<number, DetailFn> = {
  [LINKTYPE.NULL]: nullDetail,
  [LINKTYPE.ETHERNET]: ethernetDetail,
  [LINKTYPE.RAW]: rawDetail('Raw IP', 0),
  [LINKTYPE.LOOP]: loopDetail,
  [LINKTYPE.LINUX_SLL]: sllDetail,
  [LINKTYPE.IPV4]: rawDetail('Raw IPv4', 4),
  [LINKTYPE.IPV6]: rawDetail('Raw IPv6', 6),
  [LINKTYPE.NFLOG]: nflogDetail,
  [LINKTYPE.LINUX_SLL2]: sll2Detail,
};

/** Every layer rsttui can decode in the record `data[off .. off + caplen)`. */
export function decodeDetail(data: Uint8Array, off: number, caplen: number, origlen: number, linktype: number): Layer[] {
  const end = Math.min(off + caplen, data.length);
  const out: Layer[] = [];
  const frame = layer('Frame', `${origlen} bytes on wire, ${caplen} bytes captured, link type ${linktype}`, 0, end - off);
  field(frame, 'Link type', linktype);
  field(frame, 'Length on wire', origlen);
  field(frame, 'Captured length', caplen);
  if (caplen < origlen) field(frame, 'Cut by snaplen', `${origlen - caplen} bytes not captured`);
  out.push(frame);
  const link = DETAILS[linktype];
  if (link === undefined) {
    field(frame, 'Link type', `${linktype}: not decoded by rsttui`);
    return out;
  }
  const ip = link(data, off, end, out);
  if (ip < 0) return out;
  const rend = off + Math.max(origlen, caplen);
  const next: IpNext = LINK.ipVersion === 4 ? ipv4Detail(data, off, ip, end, out, rend) : ipv6Detail(data, off, ip, end, out, rend);
  if (next.status === DECODE.OTHER && next.proto >= 0) {
    out.push(layer(protoName(next.proto), 'not decoded by rsttui', next.off - off, Math.min(next.ipEnd, end) - off));
  }
  if (next.status === DECODE.FRAGMENT && next.firstFragment) {
    // The first fragment holds the TCP header (as Wireshark shows it without reassembly); the
    // payload continues in later fragments, so no TLS is read from it.
    if (tcpDetail(data, off, next.off, next.ipEnd, end, out) >= 0) {
      field(out[out.length - 1]!, 'Fragment', 'first fragment: payload length counts this fragment only');
    }
    return out;
  }
  if (next.status !== DECODE.TCP) return out;
  const po = tcpDetail(data, off, next.off, next.ipEnd, end, out);
  if (po < 0) return out;
  const payloadLen = next.ipEnd - po;
  const captured = Math.max(0, Math.min(next.ipEnd, end) - po);
  if (payloadLen > 0) {
    const tls = tlsDetail(data, off, po, captured, payloadLen);
    if (tls !== undefined) out.push(tls);
  }
  return out;
}
