/**
 * A long live stream from a short capture: a classic pcap (little-endian, microseconds, Ethernet
 * IPv4, as the demo's and bench/gen.ts's) replayed in a loop, each round later by the capture's
 * span (plus a second) and with the loop number written into both addresses' middle bytes, so
 * that every round's connections are new ones. For --keep's test and bench/live.ts.
 */
export interface ReplayOptions {
  /** bytes a chunk (default 256 KiB) */
  chunk?: number;
  /** awaited after each chunk (a pause, a turn of the event loop) */
  between?: () => Promise<void>;
}

/** The capture's time span (first to last record), seconds. */
export function spanOf(buf: Uint8Array): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let first = Infinity, last = -Infinity;
  for (let o = 24; o + 16 <= buf.length; o += 16 + dv.getUint32(o + 8, true)) {
    const t = dv.getUint32(o, true) + dv.getUint32(o + 4, true) / 1e6;
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  return last - first;
}

export async function* replayLoops(buf: Uint8Array, loops: number, opts: ReplayOptions = {}): AsyncGenerator<Uint8Array> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(0, true) !== 0xa1b2c3d4 || dv.getUint32(20, true) !== 1) throw new Error('replayLoops takes a little-endian microsecond Ethernet pcap');
  const shift = Math.ceil(spanOf(buf)) + 1;
  const size = opts.chunk ?? 1 << 18;
  yield buf.slice(0, 24);
  let out = Buffer.alloc(size + 65536 + 16);
  let pos = 0;
  for (let k = 0; k < loops; k++) {
    for (let o = 24; o + 16 <= buf.length;) {
      const caplen = dv.getUint32(o + 8, true);
      const end = o + 16 + caplen;
      if (end > buf.length) break;
      if (pos + 16 + caplen > out.length) out = Buffer.concat([out.subarray(0, pos), Buffer.alloc(16 + caplen)]);
      out.set(buf.subarray(o, end), pos);
      out.writeUInt32LE(dv.getUint32(o, true) + k * shift, pos);
      // (IPv4 over Ethernet: the source and destination addresses' two middle bytes)
      if (caplen >= 34 && buf[o + 16 + 12] === 0x08 && buf[o + 16 + 13] === 0x00) {
        for (const at of [pos + 16 + 27, pos + 16 + 31]) out.writeUInt16BE(out.readUInt16BE(at) ^ (k & 0xffff), at);
      }
      pos += 16 + caplen;
      o = end;
      if (pos >= size) {
        yield out.subarray(0, pos);
        out = Buffer.alloc(size + 65536 + 16);
        pos = 0;
        await opts.between?.();
      }
    }
  }
  if (pos) yield out.subarray(0, pos);
}
