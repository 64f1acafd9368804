/**
 * Linux "cooked" capture headers, what `tcpdump -i any` writes:
 *   LINKTYPE_LINUX_SLL (113), 16 bytes: packet type 2, ARPHRD type 2, address length 2,
 *     address 8 (zero-padded), protocol 2 (an ethertype) at offset 14.
 *   LINKTYPE_LINUX_SLL2 (276), 20 bytes: protocol 2 at offset 0, reserved 2, interface
 *     index 4, ARPHRD type 2, packet type 1, address length 1, address 8.
 * The protocol is an ethertype, so VLAN/MPLS after it go through the Ethernet chain; values
 * below 0x0600 are Linux pseudo-protocols (802.2 LLC, 802.3 raw...), which are OTHER.
 */
import { hexColon } from './bytes.js';
import { ethertypeDetail, ethertypeName, linkByEthertype } from './ethernet.js';
import { type Layer, field, layer, truncated } from './layer.js';
import { LINK_DAMAGED } from './link.js';

const SLL_LEN = 16;
const SLL2_LEN = 20;

const PACKET_TYPES = ['Unicast to us', 'Broadcast', 'Multicast', 'Unicast to another host', 'Sent by us'];

function packetTypeName(t: number): string {
  return `${PACKET_TYPES[t] ?? 'unknown'} (${t})`;
}

export function linkSll(data: Uint8Array, off: number, end: number): number {
  if (off + SLL_LEN > end) return LINK_DAMAGED;
  return linkByEthertype(data, (data[off + 14]! << 8) | data[off + 15]!, off + SLL_LEN, end);
}

export function linkSll2(data: Uint8Array, off: number, end: number): number {
  if (off + SLL2_LEN > end) return LINK_DAMAGED;
  return linkByEthertype(data, (data[off]! << 8) | data[off + 1]!, off + SLL2_LEN, end);
}

// ---- detail view (cold path) ----

export function sllDetail(data: Uint8Array, off: number, end: number, out: Layer[]): number {
  const l = layer('Linux cooked capture v1', '', 0, Math.min(SLL_LEN, end - off));
  out.push(l);
  if (off + SLL_LEN > end) {
    truncated(l, 'SLL header', SLL_LEN, end - off);
    l.summary = 'truncated';
    return LINK_DAMAGED;
  }
  const ptype = (data[off]! << 8) | data[off + 1]!;
  const hatype = (data[off + 2]! << 8) | data[off + 3]!;
  const alen = (data[off + 4]! << 8) | data[off + 5]!;
  const proto = (data[off + 14]! << 8) | data[off + 15]!;
  const addr = hexColon(data, off + 6, Math.min(alen, 8), end);
  field(l, 'Packet type', packetTypeName(ptype));
  field(l, 'Link-layer address type', hatype);
  field(l, 'Link-layer address length', alen);
  field(l, 'Source', addr);
  field(l, 'Protocol', ethertypeName(proto));
  l.summary = `${packetTypeName(ptype)}, Src: ${addr}`;
  return ethertypeDetail(data, off, proto, off + SLL_LEN, end, out);
}

export function sll2Detail(data: Uint8Array, off: number, end: number, out: Layer[]): number {
  const l = layer('Linux cooked capture v2', '', 0, Math.min(SLL2_LEN, end - off));
  out.push(l);
  if (off + SLL2_LEN > end) {
    truncated(l, 'SLL2 header', SLL2_LEN, end - off);
    l.summary = 'truncated';
    return LINK_DAMAGED;
  }
  const proto = (data[off]! << 8) | data[off + 1]!;
  const ifindex = ((data[off + 4]! << 24) | (data[off + 5]! << 16) | (data[off + 6]! << 8) | data[off + 7]!) >>> 0;
  const hatype = (data[off + 8]! << 8) | data[off + 9]!;
  const ptype = data[off + 10]!;
  const alen = data[off + 11]!;
  const addr = hexColon(data, off + 12, Math.min(alen, 8), end);
  field(l, 'Protocol', ethertypeName(proto));
  field(l, 'Interface index', ifindex);
  field(l, 'Link-layer address type', hatype);
  field(l, 'Packet type', packetTypeName(ptype));
  field(l, 'Link-layer address length', alen);
  field(l, 'Source', addr);
  l.summary = `${packetTypeName(ptype)}, ifindex ${ifindex}, Src: ${addr}`;
  return ethertypeDetail(data, off, proto, off + SLL2_LEN, end, out);
}
