/**
 * LINKTYPE_NFLOG (239): what `tcpdump -i nflog:N` and `dumpcap -i nflog:N` write, one record per
 * packet a netfilter rule logged to netlink group N (`nft ... log group N prefix "..."`, iptables
 * `-j NFLOG --nflog-group N`). Layout (libpcap's pcap/nflog.h, pcap-linktype "LINKTYPE_NFLOG"):
 *
 *   header, 4 bytes: address family 1 (AF_INET 2, AF_INET6 10; NFPROTO_BRIDGE 7, NETDEV 5 ...),
 *     version 1 (0), resource id 2 = the log group, big-endian;
 *   then TLVs: length 2, type 2 (the high bit flags a nested value: masked off), value; length
 *     counts the 4-byte TLV header, and the next TLV starts at the length rounded up to 4.
 *
 * The TLV length and type are in the byte order of the host that captured (libpcap swaps them on
 * reading a file from the other byte order, so a file it writes is in its host's order); the
 * values inside are network order, as the kernel built them. The order is not recorded, so it is
 * guessed per record as Wireshark's NFLOG dissector does: walking the TLVs big-endian must meet a
 * non-zero type below 0x100 before a type of 0x100 or more, else the record is little-endian.
 *
 * The kernel puts NFULA_PAYLOAD (9), the packet from its network header on, last; it is decoded
 * as IPv4 or IPv6 by the family (or, for other families, the packet header's hardware protocol).
 * The IP decoders take the record's end as the packet's end: the IP header carries its own length,
 * so the alignment padding after the payload is read as Ethernet padding is.
 *
 * Hot path: linkNflog (link.ts convention) and nflogNote (group and prefix of a TCP packet, into a
 * scratch); the rest is for the detail view and for saying what is wrong with a damaged record.
 */
import { hex, hexColon } from './bytes.js';
import { ethertypeName } from './ethernet.js';
import { type Layer, field, layer, truncated } from './layer.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINK, LINK_DAMAGED, LINK_OTHER } from './link.js';
import { stripControls } from '../text.js';

const HDR_LEN = 4;
export const NFULA_PACKET_HDR = 1;
export const NFULA_PAYLOAD = 9;
export const NFULA_PREFIX = 10;

/** Linux address families (nfgen_family) that say the IP version. */
const AF_INET = 2;
const AF_INET6 = 10;

/** Whether the TLV headers from `p` on are little-endian (see the file comment). */
export function nflogLittleEndian(data: Uint8Array, p: number, end: number): boolean {
  while (p + 4 <= end) {
    const len = (data[p]! << 8) | data[p + 1]!;
    if (len < 4) return true;
    const type = ((data[p + 2]! << 8) | data[p + 3]!) & 0x7fff;
    if (type >= 0x100) return true;
    if (type !== 0) return false;
    p += (len + 3) & ~3;
  }
  return true;
}

/** IP version of a payload: by the family, else by the packet header's ethertype (0: neither). */
function payloadVersion(family: number, hwProto: number): number {
  if (family === AF_INET) return 4;
  if (family === AF_INET6) return 6;
  return hwProto === ETHERTYPE_IPV4 ? 4 : hwProto === ETHERTYPE_IPV6 ? 6 : 0;
}

export function linkNflog(data: Uint8Array, off: number, end: number): number {
  if (off + HDR_LEN > end) return LINK_DAMAGED;
  const family = data[off]!;
  let p = off + HDR_LEN;
  const le = nflogLittleEndian(data, p, end);
  let hwProto = -1;
  while (p + 4 <= end) {
    const len = le ? data[p]! | (data[p + 1]! << 8) : (data[p]! << 8) | data[p + 1]!;
    const type = (le ? data[p + 2]! | (data[p + 3]! << 8) : (data[p + 2]! << 8) | data[p + 3]!) & 0x7fff;
    if (len < 4) return LINK_DAMAGED;
    if (type === NFULA_PAYLOAD) {
      // a payload cut by the snap length is the IP decoders' business (headers complete, or DAMAGED)
      if (len === 4 || p + 4 >= end) return LINK_DAMAGED;
      const v = payloadVersion(family, hwProto);
      if (v === 0) return LINK_OTHER;
      LINK.ipVersion = v;
      return p + 4;
    }
    if (p + len > end) return LINK_DAMAGED;
    if (type === NFULA_PACKET_HDR && len >= 6) hwProto = (data[p + 4]! << 8) | data[p + 5]!;
    p += (len + 3) & ~3;
  }
  // TLVs to the end and no payload (a rule that logs no packet bytes): nothing to decode
  return p >= end ? LINK_OTHER : LINK_DAMAGED;
}

/** Scratch written by nflogNote: the group, and where the prefix text is (length 0: none). */
export const NFLOG_NOTE = { group: 0, prefixOff: 0, prefixLen: 0 };

/**
 * Read the group and the prefix of a record linkNflog accepted into NFLOG_NOTE. The prefix value
 * is NUL-terminated; the NULs (and anything after the first) are left out.
 */
export function nflogNote(data: Uint8Array, off: number, end: number): void {
  NFLOG_NOTE.group = (data[off + 2]! << 8) | data[off + 3]!;
  NFLOG_NOTE.prefixLen = 0;
  let p = off + HDR_LEN;
  const le = nflogLittleEndian(data, p, end);
  while (p + 4 <= end) {
    const len = le ? data[p]! | (data[p + 1]! << 8) : (data[p]! << 8) | data[p + 1]!;
    const type = (le ? data[p + 2]! | (data[p + 3]! << 8) : (data[p + 2]! << 8) | data[p + 3]!) & 0x7fff;
    if (len < 4 || type === NFULA_PAYLOAD || p + len > end) return;
    if (type === NFULA_PREFIX) {
      let n = 0;
      while (n < len - 4 && data[p + 4 + n] !== 0) n++;
      NFLOG_NOTE.prefixOff = p + 4;
      NFLOG_NOTE.prefixLen = n;
      return;
    }
    p += (len + 3) & ~3;
  }
}

// ---- cold path: damaged records and the detail view ----

const TLV_NAMES = [
  'NFULA_UNSPEC', 'NFULA_PACKET_HDR', 'NFULA_MARK', 'NFULA_TIMESTAMP', 'NFULA_IFINDEX_INDEV', 'NFULA_IFINDEX_OUTDEV',
  'NFULA_IFINDEX_PHYSINDEV', 'NFULA_IFINDEX_PHYSOUTDEV', 'NFULA_HWADDR', 'NFULA_PAYLOAD', 'NFULA_PREFIX', 'NFULA_UID',
  'NFULA_SEQ', 'NFULA_SEQ_GLOBAL', 'NFULA_GID', 'NFULA_HWTYPE', 'NFULA_HWHEADER', 'NFULA_HWLEN', 'NFULA_CT', 'NFULA_CT_INFO',
  'NFULA_VLAN', 'NFULA_L2HDR',
];

export function tlvName(type: number): string {
  return `${TLV_NAMES[type] ?? 'unknown'} (${type})`;
}

const FAMILIES: Record<number, string> = { 0: 'unspecified', 1: 'inet', 2: 'IPv4', 3: 'ARP', 5: 'netdev', 7: 'bridge', 10: 'IPv6' };
const HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting'];

/** The prefix bytes as text (UTF-8; control characters are stripped where it is shown). */
export function prefixText(data: Uint8Array, off: number, len: number): string {
  return new TextDecoder().decode(data.subarray(off, off + len));
}

/**
 * Why linkNflog called the record `data[off .. end)` damaged: the byte offset within the record
 * of the part at fault, and plain words; undefined when it is not damaged.
 */
export function nflogProblem(data: Uint8Array, off: number, end: number): { at: number; message: string } | undefined {
  if (off + HDR_LEN > end) return { at: 0, message: `NFLOG header needs ${HDR_LEN} bytes, ${Math.max(0, end - off)} captured` };
  let p = off + HDR_LEN;
  const le = nflogLittleEndian(data, p, end);
  while (p + 4 <= end) {
    const len = le ? data[p]! | (data[p + 1]! << 8) : (data[p]! << 8) | data[p + 1]!;
    const type = (le ? data[p + 2]! | (data[p + 3]! << 8) : (data[p + 2]! << 8) | data[p + 3]!) & 0x7fff;
    const what = `NFLOG TLV ${tlvName(type)} at byte ${p - off} of the record`;
    if (len < 4) return { at: p - off, message: `${what} declares length ${len}, less than its own 4-byte header` };
    if (type === NFULA_PAYLOAD) {
      if (len === 4 || p + 4 >= end) return { at: p - off, message: `${what} holds no packet bytes (declares ${len - 4}, ${Math.max(0, end - p - 4)} captured)` };
      return undefined;
    }
    if (p + len > end) return { at: p - off, message: `${what} declares ${len} bytes, only ${end - p} captured: the record is cut before the packet payload` };
    p += (len + 3) & ~3;
  }
  if (p < end) return { at: p - off, message: `NFLOG TLV header at byte ${p - off} of the record cut short: ${end - p} of 4 bytes captured` };
  return undefined;
}

const u32 = (d: Uint8Array, p: number): number => ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;

/** One TLV's value as text for the detail view. */
function tlvValue(data: Uint8Array, type: number, v: number, n: number): string {
  switch (type) {
    case NFULA_PACKET_HDR:
      if (n < 3) break;
      return `hardware protocol ${ethertypeName((data[v]! << 8) | data[v + 1]!)}, hook ${HOOKS[data[v + 2]!] ?? 'unknown'} (${data[v + 2]!})`;
    case 2: case 4: case 5: case 6: case 7: case 11: case 12: case 13: case 14: case 19: // u32 in network order
      if (n < 4) break;
      return type === 2 ? hex(u32(data, v), 8) : String(u32(data, v));
    case 3: { // seconds and microseconds, 64-bit each
      if (n < 16) break;
      const sec = u32(data, v) * 2 ** 32 + u32(data, v + 4);
      const usec = u32(data, v + 8) * 2 ** 32 + u32(data, v + 12);
      const d = new Date(sec * 1000);
      return Number.isFinite(d.getTime()) && usec < 1e6 ? `${d.toISOString().slice(0, 19)}.${String(usec).padStart(6, '0')}Z` : `${sec} s ${usec} us`;
    }
    case 8: { // address length 2, padding 2, address 8
      if (n < 4) break;
      return hexColon(data, v + 4, Math.min((data[v]! << 8) | data[v + 1]!, 8, n - 4), v + n);
    }
    case 15: case 17:
      if (n < 2) break;
      return String((data[v]! << 8) | data[v + 1]!);
    case NFULA_PAYLOAD:
      return `${n} bytes`;
  }
  return `${n} bytes: ${hexColon(data, v, Math.min(n, 16), v + n)}${n > 16 ? '...' : ''}`;
}

/** NFLOG layer (header and every TLV); returns as linkNflog does. */
export function nflogDetail(data: Uint8Array, off: number, end: number, out: Layer[]): number {
  const l = layer('NFLOG', '', 0, Math.min(HDR_LEN, end - off));
  out.push(l);
  if (off + HDR_LEN > end) {
    truncated(l, 'NFLOG header', HDR_LEN, end - off);
    l.summary = 'truncated';
    return LINK_DAMAGED;
  }
  const family = data[off]!;
  const group = (data[off + 2]! << 8) | data[off + 3]!;
  field(l, 'Family', `${FAMILIES[family] ?? 'unknown'} (${family})`);
  field(l, 'Version', data[off + 1]!);
  field(l, 'Group', group);
  const le = nflogLittleEndian(data, off + HDR_LEN, end);
  field(l, 'TLV byte order', le ? 'little-endian' : 'big-endian');
  let prefix: string | undefined;
  let p = off + HDR_LEN;
  for (; p + 4 <= end; ) {
    const len = le ? data[p]! | (data[p + 1]! << 8) : (data[p]! << 8) | data[p + 1]!;
    const type = (le ? data[p + 2]! | (data[p + 3]! << 8) : (data[p + 2]! << 8) | data[p + 3]!) & 0x7fff;
    if (len < 4 || (type !== NFULA_PAYLOAD && p + len > end)) break;
    const n = Math.min(len, end - p) - 4;
    if (type === NFULA_PREFIX) {
      let k = 0;
      while (k < n && data[p + 4 + k] !== 0) k++;
      prefix = prefixText(data, p + 4, k);
      field(l, 'NFLOG prefix', `"${stripControls(prefix)}"`);
    } else field(l, tlvName(type), tlvValue(data, type, p + 4, n));
    l.end = Math.min(p + ((len + 3) & ~3), end) - off;
    if (type === NFULA_PAYLOAD) {
      l.end = p + 4 - off;
      break;
    }
    p += (len + 3) & ~3;
  }
  l.summary = `Group ${group}${prefix !== undefined ? `, prefix "${stripControls(prefix)}"` : ', no prefix'}`;
  const ip = linkNflog(data, off, end);
  if (ip === LINK_DAMAGED) {
    const why = nflogProblem(data, off, end);
    field(l, 'truncated', why ? why.message : 'the record is cut short');
  } else if (ip === LINK_OTHER) field(l, 'Payload', 'none, or not IP');
  return ip;
}
