/**
 * Test-only: decode every record of a classic pcap with decodeTcp and compare, packet by
 * packet, with what tshark dissects. Shared by the decode tests (and handy by hand).
 */
import { spawnSync } from 'node:child_process';
import { ipToString, ipv4NumToString, ipv6ToString } from '../src/decode/bytes.js';
import { DECODE, type DecodeStatus, newTcpFacts } from '../src/decode/facts.js';
import { decodeTcp } from '../src/decode/packet.js';
import { readPcap } from './pcap-records.js';

/** The columns the brief names, in its order; extra columns for classification follow. */
export const TSHARK_FIELDS = [
  'frame.number', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags',
  'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.window_size_value',
] as const;
const EXTRA = ['frame.protocols', 'ip.flags.mf', 'ip.frag_offset', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more'] as const;

export interface TsharkRow {
  cols: string[];
  protocols: string[];
  fragment: boolean;
}

export function tsharkRows(path: string): TsharkRow[] {
  const args = ['-r', path, '-n', '-T', 'fields', '-E', 'separator=,', '-E', 'occurrence=f',
    // Dissect each fragment on its own, as rsttui sees it; reassembly would move TCP to the last one.
    '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE'];
  for (const f of [...TSHARK_FIELDS, ...EXTRA]) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tshark failed on ${path}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const all = line.split(',');
      const cols = all.slice(0, TSHARK_FIELDS.length);
      const [protocols = '', mf = '', fo = '', v6fo = '', v6m = ''] = all.slice(TSHARK_FIELDS.length);
      const fragment = mf === '1' || mf === 'True' || (fo !== '' && fo !== '0') || (v6fo !== '' && v6fo !== '0') || v6m === '1' || v6m === 'True';
      return { cols, protocols: protocols.split(':'), fragment };
    });
}

const V6_EXT = new Set(['ipv6.hopopts', 'ipv6.routing', 'ipv6.dstopts', 'ipv6.fraghdr', 'ah']);

/** tshark's verdict: TCP directly in the first IP layer (through IPv6 extension headers). */
export function tsharkIsTcp(protocols: string[]): boolean {
  let i = protocols.findIndex((p) => p === 'ip' || p === 'ipv6');
  if (i < 0) return false;
  i++;
  while (i < protocols.length && V6_EXT.has(protocols[i]!)) i++;
  return protocols[i] === 'tcp';
}

export interface CrossCheck {
  statuses: DecodeStatus[];
  tcp: number;
  mismatches: string[];
}

/** Decode every record; for every TCP one, the brief's tshark columns must match ours exactly. */
export function crossCheck(path: string): CrossCheck {
  const pcap = readPcap(path);
  const rows = tsharkRows(path);
  const mismatches: string[] = [];
  const statuses: DecodeStatus[] = [];
  if (rows.length !== pcap.records.length) mismatches.push(`tshark has ${rows.length} frames, we read ${pcap.records.length}`);
  const f = newTcpFacts();
  let tcp = 0;
  for (const rec of pcap.records) {
    const st = decodeTcp(pcap.data, rec.off, rec.caplen, rec.origlen, pcap.linktype, f);
    statuses.push(st);
    const row = rows[rec.frame - 1];
    if (row === undefined) continue;
    const isTcp = tsharkIsTcp(row.protocols);
    if (st !== DECODE.TCP) {
      if (isTcp && !row.fragment && st !== DECODE.DAMAGED) mismatches.push(`frame ${rec.frame}: tshark sees TCP (${row.protocols.join(':')}), we say ${st}`);
      continue;
    }
    tcp++;
    if (!isTcp) {
      mismatches.push(`frame ${rec.frame}: we say TCP, tshark ${row.protocols.join(':')}`);
      continue;
    }
    const v4 = f.ipVersion === 4;
    const src = v4 ? ipToString(pcap.data, f.srcOff) : ipv6ToString(pcap.data, f.srcOff);
    const dst = v4 ? ipToString(pcap.data, f.dstOff) : ipv6ToString(pcap.data, f.dstOff);
    if (v4 && (ipv4NumToString(f.v4src) !== src || ipv4NumToString(f.v4dst) !== dst)) {
      mismatches.push(`frame ${rec.frame}: v4src/v4dst numbers disagree with srcOff/dstOff`);
    }
    const ours = [
      String(rec.frame), v4 ? src : '', v4 ? dst : '', v4 ? '' : src, v4 ? '' : dst, String(f.sport), String(f.dport),
      String(f.flags), String(f.seq), String(f.ack), String(f.payloadLen), String(f.win),
    ];
    const theirs = [...row.cols];
    theirs[7] = String(parseInt(theirs[7] ?? '', 16) & 0xff); // tcp.flags is 0x0018-style, 12 bits
    if (ours.join(',') !== theirs.join(',')) mismatches.push(`frame ${rec.frame}:\n  ours   ${ours.join(',')}\n  tshark ${theirs.join(',')}`);
    const capEnd = Math.min(rec.off + rec.caplen, pcap.data.length);
    if (f.payloadCaptured !== Math.min(f.payloadLen, capEnd - f.payloadOff) || f.cut !== f.payloadCaptured < f.payloadLen) {
      mismatches.push(`frame ${rec.frame}: payloadCaptured ${f.payloadCaptured} / cut ${f.cut} inconsistent with caplen`);
    }
  }
  return { statuses, tcp, mismatches };
}
