/**
 * The facts the hot path takes from one TCP packet. One object is reused for every packet
 * (no allocation per packet); `decodeTcp` in packet.ts fills it.
 */
export interface TcpFacts {
  /** 4 or 6 */
  ipVersion: number;
  /** offsets into the record's data of the source and destination address (4 or 16 bytes) */
  srcOff: number;
  dstOff: number;
  /** IPv4 addresses as unsigned 32-bit numbers (0 for IPv6) */
  v4src: number;
  v4dst: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** TCP flag byte (FIN 0x01 ... CWR 0x80) */
  flags: number;
  /** raw window field (not scaled) */
  win: number;
  /** TCP payload length claimed by the IP header (what was on the wire) */
  payloadLen: number;
  /** offset into data of the first payload byte */
  payloadOff: number;
  /** payload bytes actually present in the capture (< payloadLen when cut by snaplen) */
  payloadCaptured: number;
  /** IP header says more bytes than were captured */
  cut: boolean;
}

export function newTcpFacts(): TcpFacts {
  return {
    ipVersion: 0, srcOff: 0, dstOff: 0, v4src: 0, v4dst: 0, sport: 0, dport: 0, seq: 0, ack: 0,
    flags: 0, win: 0, payloadLen: 0, payloadOff: 0, payloadCaptured: 0, cut: false,
  };
}

/** What decodeTcp made of a record. */
export const DECODE = {
  /** a TCP segment; facts filled */
  TCP: 0,
  /** well-formed but not TCP (ARP, UDP, ICMP, ...): counted and skipped */
  OTHER: 1,
  /** headers cut short by snaplen or damaged: counted and skipped */
  DAMAGED: 2,
  /** link type rsttui does not decode */
  UNSUPPORTED_LINK: 3,
  /** an IPv4 fragment other than the first, or a first fragment (not reassembled) */
  FRAGMENT: 4,
} as const;
export type DecodeStatus = (typeof DECODE)[keyof typeof DECODE];
