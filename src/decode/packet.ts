/**
 * The hot path: one record in, TcpFacts out. Called for every record of every capture, so
 * it allocates nothing, indexes bytes directly, and checks each header's length once.
 *
 * Dispatch is a table indexed by link type. Each link function (link.ts convention) returns
 * the IP header offset with the announced IP version in LINK.ipVersion, or a negative code.
 */
import { linkEthernet } from './ethernet.js';
import { DECODE, type DecodeStatus, type TcpFacts } from './facts.js';
import { ipv4Tcp } from './ipv4.js';
import { ipv6Tcp } from './ipv6.js';
import { LINK, LINK_OTHER, type LinkFn, linkIpv4, linkIpv6, linkRaw } from './link.js';
import { linkNflog } from './nflog.js';
import { linkLoop, linkNull } from './null.js';
import { linkSll, linkSll2 } from './sll.js';
import { LINKTYPE } from '../model.js';

/** linktype -> link function; holes are link types rsttui does not decode. */
const LINKS: (LinkFn | undefined)[] = new Array<LinkFn | undefined>(LINKTYPE.LINUX_SLL2 + 1).fill(undefined);
LINKS[LINKTYPE.NULL] = linkNull;
LINKS[LINKTYPE.ETHERNET] = linkEthernet;
LINKS[LINKTYPE.RAW] = linkRaw;
LINKS[LINKTYPE.LOOP] = linkLoop;
LINKS[LINKTYPE.LINUX_SLL] = linkSll;
LINKS[LINKTYPE.IPV4] = linkIpv4;
LINKS[LINKTYPE.IPV6] = linkIpv6;
LINKS[LINKTYPE.NFLOG] = linkNflog;
LINKS[LINKTYPE.LINUX_SLL2] = linkSll2;
// LINKTYPE_RAW has two historical numbers: 12 (OpenBSD's DLT_RAW, which libpcap maps to 101
// on read) and 14 on some systems' files; only 101 is written by libpcap, so only it is here.

/** Whether rsttui decodes this link type. */
export function linkSupported(linktype: number): boolean {
  return linktype >= 0 && linktype < LINKS.length && LINKS[linktype] !== undefined;
}

/**
 * Decode the record `data[off .. off + caplen)` of link type `linktype` and, when it is a
 * TCP segment, fill `f`. `origlen` is the length on the wire; the TCP payload length comes
 * from the IP header (it excludes Ethernet padding and trailers and survives snaplen cuts),
 * within the frame's length on the wire, as tshark's tcp.len (ipv4End).
 */
export function decodeTcp(
  data: Uint8Array,
  off: number,
  caplen: number,
  origlen: number,
  linktype: number,
  f: TcpFacts,
): DecodeStatus {
  const link = linktype >= 0 && linktype < LINKS.length ? LINKS[linktype] : undefined;
  if (link === undefined) return DECODE.UNSUPPORTED_LINK;
  let end = off + caplen;
  if (end > data.length) end = data.length; // a reader bug must not turn into reads past the buffer
  // (the frame's reported end: never before what was captured, as tshark's frame length)
  const rend = off + (origlen > caplen ? origlen : caplen);
  const ip = link(data, off, end);
  if (ip < 0) return ip === LINK_OTHER ? DECODE.OTHER : DECODE.DAMAGED;
  return LINK.ipVersion === 4 ? ipv4Tcp(data, ip, end, f, rend) : ipv6Tcp(data, ip, end, f, rend);
}
