/**
 * Ethernet II (LINKTYPE_ETHERNET 1) with 802.1Q / 802.1ad / pre-standard 0x9100 VLAN tags
 * and MPLS label stacks. The ethertype chain is shared with the Linux cooked headers
 * (sll.ts), whose protocol field is an ethertype too.
 *
 * Hot-path functions follow the link.ts convention: IP header offset, or LINK_OTHER /
 * LINK_DAMAGED, with the IP version in LINK.ipVersion.
 */
import { hex, hexColon } from './bytes.js';
import { type Layer, field, layer, truncated } from './layer.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINK, LINK_DAMAGED, LINK_OTHER } from './link.js';

export const ETHERTYPE_VLAN = 0x8100; // 802.1Q customer tag
export const ETHERTYPE_QINQ = 0x88a8; // 802.1ad service tag
export const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard service tag, still seen on older gear
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MC = 0x8848;

/** More nested tags than this is not a real frame; stop rather than walk garbage. */
const MAX_TAGS = 16;

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x86dd: 'IPv6',
  0x8100: '802.1Q VLAN',
  0x88a8: '802.1ad',
  0x9100: 'QinQ (0x9100)',
  0x8847: 'MPLS',
  0x8848: 'MPLS multicast',
  0x88cc: 'LLDP',
  0x8035: 'RARP',
  0x88e5: 'MACsec',
  0x8863: 'PPPoE discovery',
  0x8864: 'PPPoE session',
};

export function ethertypeName(t: number): string {
  return `${ETHERTYPE_NAMES[t] ?? (t < 0x0600 ? '802.3 length' : 'unknown')} (${hex(t, 4)})`;
}

/** LINKTYPE_ETHERNET: 6-byte destination, 6-byte source, ethertype at 12, payload at 14. */
export function linkEthernet(data: Uint8Array, off: number, end: number): number {
  if (off + 14 > end) return LINK_DAMAGED;
  return linkByEthertype(data, (data[off + 12]! << 8) | data[off + 13]!, off + 14, end);
}

/**
 * Follow ethertype `t`, whose payload starts at `p`, through VLAN tags and MPLS labels to
 * IPv4/IPv6. A VLAN tag's payload is 2 bytes of TCI then the next ethertype, so each tag
 * moves on by 4. Ethertypes below 0x0600 are 802.3 lengths (LLC follows): OTHER.
 * Taking the type as a value (not an offset) lets SLL2, whose protocol field is not
 * adjacent to its payload, share this chain.
 */
export function linkByEthertype(data: Uint8Array, t: number, p: number, end: number): number {
  for (let tags = 0; tags < MAX_TAGS; tags++) {
    if (t === ETHERTYPE_IPV4) {
      LINK.ipVersion = 4;
      return p;
    }
    if (t === ETHERTYPE_IPV6) {
      LINK.ipVersion = 6;
      return p;
    }
    if (t === ETHERTYPE_VLAN || t === ETHERTYPE_QINQ || t === ETHERTYPE_QINQ_OLD) {
      if (p + 4 > end) return LINK_DAMAGED;
      t = (data[p + 2]! << 8) | data[p + 3]!;
      p += 4;
      continue;
    }
    if (t === ETHERTYPE_MPLS || t === ETHERTYPE_MPLS_MC) return linkMpls(data, p, end);
    return LINK_OTHER;
  }
  return LINK_OTHER;
}

/**
 * An MPLS label stack at `p`: 4-byte entries (label 20 bits, traffic class 3, bottom-of-stack
 * 1, TTL 8). MPLS does not say what it carries; after the bottom-of-stack entry, as Wireshark
 * does, guess from the first nibble: 4 is IPv4, 6 is IPv6, anything else (0 is a pseudowire
 * control word, usually Ethernet over MPLS) is OTHER.
 */
export function linkMpls(data: Uint8Array, p: number, end: number): number {
  for (let n = 0; n < MAX_TAGS; n++) {
    if (p + 4 > end) return LINK_DAMAGED;
    const bottom = data[p + 2]! & 1;
    p += 4;
    if (bottom === 0) continue;
    if (p >= end) return LINK_DAMAGED;
    const v = data[p]! >> 4;
    if (v !== 4 && v !== 6) return LINK_OTHER;
    LINK.ipVersion = v;
    return p;
  }
  return LINK_OTHER;
}

// ---- detail view (cold path) ----

/** Ethernet II layer plus any VLAN / MPLS layers; returns as linkEthernet does. */
export function ethernetDetail(data: Uint8Array, off: number, end: number, out: Layer[]): number {
  const l = layer('Ethernet II', '', 0, Math.min(14, end - off));
  out.push(l);
  if (off + 14 > end) {
    truncated(l, 'Ethernet header', 14, end - off);
    l.summary = 'truncated';
    return LINK_DAMAGED;
  }
  const dst = hexColon(data, off, 6, end);
  const src = hexColon(data, off + 6, 6, end);
  field(l, 'Destination', dst);
  field(l, 'Source', src);
  const t = (data[off + 12]! << 8) | data[off + 13]!;
  field(l, 'Type', ethertypeName(t));
  l.summary = `Src: ${src}, Dst: ${dst}`;
  return ethertypeDetail(data, off, t, off + 14, end, out);
}

/** Layers for the chain after ethertype `t` (whose payload starts at `p`); returns as linkByEthertype. */
export function ethertypeDetail(data: Uint8Array, off: number, t: number, p: number, end: number, out: Layer[]): number {
  for (let tags = 0; tags < MAX_TAGS; tags++) {
    if (t === ETHERTYPE_IPV4 || t === ETHERTYPE_IPV6) {
      LINK.ipVersion = t === ETHERTYPE_IPV4 ? 4 : 6;
      return p;
    }
    if (t === ETHERTYPE_VLAN || t === ETHERTYPE_QINQ || t === ETHERTYPE_QINQ_OLD) {
      const name = t === ETHERTYPE_VLAN ? '802.1Q Virtual LAN' : '802.1ad Service VLAN';
      const l = layer(name, '', p - off, Math.min(p + 4, end) - off);
      out.push(l);
      if (p + 4 > end) {
        truncated(l, 'VLAN tag', 4, end - p);
        l.summary = 'truncated';
        return LINK_DAMAGED;
      }
      const tci = (data[p]! << 8) | data[p + 1]!;
      t = (data[p + 2]! << 8) | data[p + 3]!;
      field(l, 'Priority', tci >> 13);
      field(l, 'DEI', (tci >> 12) & 1);
      field(l, 'ID', tci & 0x0fff);
      field(l, 'Type', ethertypeName(t));
      l.summary = `PRI: ${tci >> 13}, DEI: ${(tci >> 12) & 1}, ID: ${tci & 0x0fff}`;
      p += 4;
      continue;
    }
    if (t === ETHERTYPE_MPLS || t === ETHERTYPE_MPLS_MC) return mplsDetail(data, off, p, end, out);
    return LINK_OTHER;
  }
  return LINK_OTHER;
}

function mplsDetail(data: Uint8Array, off: number, p: number, end: number, out: Layer[]): number {
  const l = layer('MPLS', '', p - off, p - off);
  out.push(l);
  const labels: number[] = [];
  for (let n = 0; n < MAX_TAGS; n++) {
    if (p + 4 > end) {
      truncated(l, 'MPLS label stack entry', 4, end - p);
      l.summary = `Labels: ${labels.join(', ')} (truncated)`;
      return LINK_DAMAGED;
    }
    const e = ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
    const label = e >>> 12;
    const bottom = (e >>> 8) & 1;
    labels.push(label);
    field(l, `Label ${n + 1}`, `${label}, exp ${(e >>> 9) & 7}, S ${bottom}, TTL ${e & 0xff}`);
    p += 4;
    l.end = p - off;
    if (!bottom) continue;
    l.summary = `Label${labels.length > 1 ? 's' : ''}: ${labels.join(', ')}`;
    if (p >= end) {
      truncated(l, 'MPLS payload', 1, 0);
      return LINK_DAMAGED;
    }
    const v = data[p]! >> 4;
    if (v !== 4 && v !== 6) {
      field(l, 'Payload', `not IP (first nibble ${v})`);
      return LINK_OTHER;
    }
    field(l, 'Payload', `IPv${v} (guessed from the first nibble)`);
    LINK.ipVersion = v;
    return p;
  }
  l.summary = `Labels: ${labels.join(', ')} (no bottom of stack)`;
  return LINK_OTHER;
}
