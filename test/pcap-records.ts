/**
 * Test-only classic pcap record iterator: just enough to feed the decoders in tests without
 * depending on the real reader (src/read/). Both byte orders, microsecond and nanosecond
 * magic. Not for production: it reads the whole file and throws on anything odd.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface PcapRecord {
  /** 1-based, as tshark numbers frames */
  frame: number;
  /** offset of the record's data in `data` */
  off: number;
  caplen: number;
  origlen: number;
  tsSec: number;
  tsNsec: number;
}

export interface PcapFile {
  data: Uint8Array;
  linktype: number;
  snaplen: number;
  nanos: boolean;
  records: PcapRecord[];
}

export function readPcap(path: string): PcapFile {
  const buf = readFileSync(path);
  const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 24) throw new Error(`${path}: ${data.length} bytes, too short for a pcap header`);
  const magicBE = dv.getUint32(0, false);
  let le: boolean;
  let nanos: boolean;
  if (magicBE === 0xa1b2c3d4) [le, nanos] = [false, false];
  else if (magicBE === 0xd4c3b2a1) [le, nanos] = [true, false];
  else if (magicBE === 0xa1b23c4d) [le, nanos] = [false, true];
  else if (magicBE === 0x4d3cb2a1) [le, nanos] = [true, true];
  else throw new Error(`${path}: offset 0: not a classic pcap magic (${magicBE.toString(16)})`);
  const snaplen = dv.getUint32(16, le);
  // The link type is the low 16 bits; the upper bits may carry FCS-length information.
  const linktype = dv.getUint32(20, le) & 0xffff;
  const records: PcapRecord[] = [];
  let p = 24;
  while (p + 16 <= data.length) {
    const tsSec = dv.getUint32(p, le);
    const frac = dv.getUint32(p + 4, le);
    const caplen = dv.getUint32(p + 8, le);
    const origlen = dv.getUint32(p + 12, le);
    if (p + 16 + caplen > data.length) throw new Error(`${path}: offset ${p}: record ${records.length + 1} runs past the end`);
    records.push({ frame: records.length + 1, off: p + 16, caplen, origlen, tsSec, tsNsec: nanos ? frac : frac * 1000 });
    p += 16 + caplen;
  }
  return { data, linktype, snaplen, nanos, records };
}

/** Write a little-endian microsecond classic pcap of `packets` (test-made variants of real records). */
export function writePcap(path: string, linktype: number, packets: Uint8Array[]): void {
  const parts: Uint8Array[] = [];
  const h = new DataView(new ArrayBuffer(24));
  h.setUint32(0, 0xa1b2c3d4, true);
  h.setUint16(4, 2, true);
  h.setUint16(6, 4, true);
  h.setUint32(16, 262144, true);
  h.setUint32(20, linktype, true);
  parts.push(new Uint8Array(h.buffer));
  packets.forEach((p, i) => {
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, 1_700_000_000 + i, true);
    r.setUint32(8, p.length, true);
    r.setUint32(12, p.length, true);
    parts.push(new Uint8Array(r.buffer), p);
  });
  writeFileSync(path, Buffer.concat(parts));
}

/**
 * Write `src`'s records to `path` out of time order: neighbours swapped every `swapEvery` records
 * (a multi-queue NIC's small steps back), and record `moveToEnd` moved to the end (a big one).
 */
export function writeReordered(src: string, path: string, swapEvery: number, moveToEnd: number): void {
  const p = readPcap(src);
  const recs = p.records.map((r) => p.data.subarray(r.off - 16, r.off + r.caplen));
  for (let k = 0; k + 1 < recs.length; k += swapEvery) [recs[k], recs[k + 1]] = [recs[k + 1]!, recs[k]!];
  recs.push(...recs.splice(moveToEnd, 1));
  writeFileSync(path, Buffer.concat([p.data.subarray(0, 24), ...recs]));
}
