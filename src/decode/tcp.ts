/**
 * TCP header (RFC 9293) and its options. The hot path fills TcpFacts; the options are only
 * walked for the detail view.
 */
import { hex } from './bytes.js';
import { DECODE, type DecodeStatus, type TcpFacts } from './facts.js';
import { type Layer, field, layer, truncated } from './layer.js';
import { flagLetters } from '../model.js';

/**
 * Hot path: the TCP header at `t`. `ipEnd` is where the IP header says the segment ends,
 * `end` where the captured bytes end; they differ both ways (snaplen cuts, Ethernet padding
 * adds), so the payload length comes from `ipEnd` and what we hold from the smaller of the two.
 * A TCP header that is not wholly captured, or does not fit the IP datagram, is DAMAGED.
 */
export function tcpFacts(data: Uint8Array, t: number, ipEnd: number, end: number, f: TcpFacts): DecodeStatus {
  if (t + 20 > end || t + 20 > ipEnd) return DECODE.DAMAGED;
  const thl = (data[t + 12]! >> 4) << 2;
  const po = t + thl;
  if (thl < 20 || po > end || po > ipEnd) return DECODE.DAMAGED;
  f.sport = (data[t]! << 8) | data[t + 1]!;
  f.dport = (data[t + 2]! << 8) | data[t + 3]!;
  f.seq = ((data[t + 4]! << 24) | (data[t + 5]! << 16) | (data[t + 6]! << 8) | data[t + 7]!) >>> 0;
  f.ack = ((data[t + 8]! << 24) | (data[t + 9]! << 16) | (data[t + 10]! << 8) | data[t + 11]!) >>> 0;
  f.flags = data[t + 13]!;
  f.win = (data[t + 14]! << 8) | data[t + 15]!;
  f.payloadOff = po;
  f.payloadLen = ipEnd - po;
  f.payloadCaptured = (ipEnd < end ? ipEnd : end) - po;
  f.cut = ipEnd > end;
  return DECODE.TCP;
}

// ---- detail view (cold path) ----

const OPTION_NAMES: Record<number, string> = {
  0: 'End of Option List', 1: 'No-Operation', 2: 'Maximum segment size', 3: 'Window scale',
  4: 'SACK permitted', 5: 'SACK', 8: 'Timestamps', 19: 'MD5 signature', 28: 'User timeout',
  29: 'TCP-AO', 30: 'Multipath TCP', 34: 'TCP Fast Open cookie', 253: 'Experimental', 254: 'Experimental',
};

export interface TcpOption {
  kind: number;
  name: string;
  /** decoded value, e.g. `1460`, `7 (multiply by 128)`, `TSval 1 TSecr 0` */
  value: string;
}

const u32 = (d: Uint8Array, i: number): number =>
  ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;

/** The options between `from` and `to` (bounds already within the capture), each decoded. */
export function tcpOptions(data: Uint8Array, from: number, to: number): TcpOption[] {
  const out: TcpOption[] = [];
  let q = from;
  while (q < to) {
    const kind = data[q]!;
    const name = OPTION_NAMES[kind] ?? `Unknown (kind ${kind})`;
    if (kind === 0 || kind === 1) {
      out.push({ kind, name, value: '' });
      q++;
      if (kind === 0) break;
      continue;
    }
    if (q + 2 > to) {
      out.push({ kind, name, value: 'length byte missing' });
      break;
    }
    const len = data[q + 1]!;
    if (len < 2 || q + len > to) {
      out.push({ kind, name, value: `bad length ${len}` });
      break;
    }
    const v = q + 2;
    let value: string;
    if (kind === 2 && len === 4) value = String((data[v]! << 8) | data[v + 1]!);
    else if (kind === 3 && len === 3) value = `${data[v]!} (multiply by ${2 ** Math.min(data[v]!, 14)})`;
    else if (kind === 4 && len === 2) value = '';
    else if (kind === 5 && (len - 2) % 8 === 0) {
      const blocks: string[] = [];
      for (let b = v; b + 8 <= q + len; b += 8) blocks.push(`${u32(data, b)}-${u32(data, b + 4)}`);
      value = blocks.join(' ');
    } else if (kind === 8 && len === 10) value = `TSval ${u32(data, v)} TSecr ${u32(data, v + 4)}`;
    else if (kind === 28 && len === 4) {
      const x = (data[v]! << 8) | data[v + 1]!;
      value = `${x & 0x7fff} ${x & 0x8000 ? 'min' : 's'}`;
    } else value = `length ${len}${len > 2 ? ': ' + Array.from(data.subarray(v, q + len), (b) => b.toString(16).padStart(2, '0')).join('') : ''}`;
    out.push({ kind, name, value });
    q += len;
  }
  return out;
}

/** The TCP layer at `t`; returns the payload offset, or -1 when the header is unusable. */
export function tcpDetail(data: Uint8Array, off: number, t: number, ipEnd: number, end: number, out: Layer[]): number {
  const l = layer('Transmission Control Protocol', '', t - off, Math.min(t + 20, end) - off);
  out.push(l);
  if (t + 20 > end) {
    truncated(l, 'TCP header', 20, end - t);
    l.summary = 'truncated';
    return -1;
  }
  const sport = (data[t]! << 8) | data[t + 1]!;
  const dport = (data[t + 2]! << 8) | data[t + 3]!;
  const seq = u32(data, t + 4);
  const ack = u32(data, t + 8);
  const thl = (data[t + 12]! >> 4) << 2;
  const flags = ((data[t + 12]! & 0x0f) << 8) | data[t + 13]!;
  const win = (data[t + 14]! << 8) | data[t + 15]!;
  field(l, 'Source port', sport);
  field(l, 'Destination port', dport);
  field(l, 'Sequence number (raw)', seq);
  field(l, 'Acknowledgment number (raw)', ack);
  field(l, 'Header length', `${thl} bytes (${thl >> 2})`);
  const letters = flagLetters(flags & 0xff);
  field(l, 'Flags', `${hex(flags, 3)} (${letters || 'none'}${flags & 0x100 ? ', AE' : ''})`);
  field(l, 'Window', win);
  field(l, 'Checksum', `${hex((data[t + 16]! << 8) | data[t + 17]!, 4)} (not verified)`);
  field(l, 'Urgent pointer', (data[t + 18]! << 8) | data[t + 19]!);
  const payload = ipEnd - t - thl;
  l.summary = `Src Port: ${sport}, Dst Port: ${dport}, Seq: ${seq}, Ack: ${ack}, Len: ${payload}, Flags: [${letters}]`;
  if (thl < 20 || t + thl > ipEnd) {
    field(l, 'error', `header length ${thl} does not fit the segment`);
    return -1;
  }
  l.end = Math.min(t + thl, end) - off;
  if (t + thl > end) {
    truncated(l, 'TCP options', thl, end - t);
    return -1;
  }
  for (const o of tcpOptions(data, t + 20, t + thl)) {
    field(l, 'Option', o.value === '' ? o.name : `${o.name}: ${o.value}`);
  }
  field(l, 'Payload length', payload);
  return t + thl;
}
