/**
 * Deterministic synthetic capture for the benchmark: many interleaved TCP connections over
 * Ethernet/IPv4, most closing with FIN/FIN, some with FIN+RST, aborts, rejections and unanswered
 * SYNs. Same arguments, same bytes (a seeded PRNG, fixed start time).
 */
import { openSync, writeSync, closeSync } from 'node:fs';

/** A small seeded PRNG (mulberry32): the generators are deterministic. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Conn {
  client: number;
  cport: number;
  server: number;
  sport: number;
  cseq: number;
  sseq: number;
  step: number;
  plan: number; // 0 graceful, 1 fin-then-rst, 2 abort, 3 rejected, 4 unanswered
  dataLeft: number;
}

export interface GenOptions {
  packets: number;
  /** connections open at once (interleaving) */
  concurrent?: number;
  format?: 'pcap' | 'pcapng';
  seed?: number;
}

/** Write the capture to `path`; returns { packets, connections, bytes }. */
export function generate(path: string, o: GenOptions): { packets: number; connections: number; bytes: number } {
  const rnd = mulberry32(o.seed ?? 42);
  const conc = o.concurrent ?? 2000;
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(8 << 20);
  let pos = 0;
  let bytes = 0;
  const flush = (): void => {
    writeSync(fd, buf, 0, pos);
    bytes += pos;
    pos = 0;
  };
  const ng = o.format === 'pcapng';
  if (ng) {
    // SHB (28 bytes) + IDB (20 bytes, Ethernet, snaplen 262144, µs resolution by default)
    pos = buf.writeUInt32LE(0x0a0d0d0a, pos);
    pos = buf.writeUInt32LE(28, pos);
    pos = buf.writeUInt32LE(0x1a2b3c4d, pos);
    pos = buf.writeUInt16LE(1, pos);
    pos = buf.writeUInt16LE(0, pos);
    buf.writeInt32LE(-1, pos); buf.writeInt32LE(-1, pos + 4); pos += 8;
    pos = buf.writeUInt32LE(28, pos);
    pos = buf.writeUInt32LE(1, pos);
    pos = buf.writeUInt32LE(20, pos);
    pos = buf.writeUInt16LE(1, pos);
    pos = buf.writeUInt16LE(0, pos);
    pos = buf.writeUInt32LE(262144, pos);
    pos = buf.writeUInt32LE(20, pos);
  } else {
    pos = buf.writeUInt32LE(0xa1b2c3d4, pos);
    pos = buf.writeUInt16LE(2, pos);
    pos = buf.writeUInt16LE(4, pos);
    pos = buf.writeUInt32LE(0, pos);
    pos = buf.writeUInt32LE(0, pos);
    pos = buf.writeUInt32LE(262144, pos);
    pos = buf.writeUInt32LE(1, pos);
  }
  let t = 1_700_000_000 * 1e6; // µs
  let nconn = 0;
  const newConn = (): Conn => {
    nconn++;
    const r = rnd();
    return {
      client: (0x0a000000 | ((nconn * 7919) & 0xffffff)) >>> 0,
      cport: 1024 + (nconn % 60000),
      server: (0xc0a80000 | (nconn % 200)) >>> 0,
      sport: r < 0.7 ? 443 : 80,
      cseq: (rnd() * 0xffffffff) >>> 0,
      sseq: (rnd() * 0xffffffff) >>> 0,
      step: 0,
      plan: r < 0.75 ? 0 : r < 0.88 ? 1 : r < 0.94 ? 2 : r < 0.97 ? 3 : 4,
      dataLeft: 2 + Math.floor(rnd() * 20),
    };
  };
  const live: Conn[] = Array.from({ length: conc }, newConn);
  const frame = (c: Conn, fromClient: boolean, flags: number, plen: number): void => {
    const caplen = 54 + plen;
    if (pos + caplen + 64 > buf.length) flush();
    t += 1 + Math.floor(rnd() * 20);
    const sec = Math.floor(t / 1e6), usec = t % 1e6;
    if (ng) {
      const padded = (caplen + 3) & ~3;
      const total = 32 + padded;
      pos = buf.writeUInt32LE(6, pos);
      pos = buf.writeUInt32LE(total, pos);
      pos = buf.writeUInt32LE(0, pos);
      const ts = sec * 1e6 + usec;
      pos = buf.writeUInt32LE(Math.floor(ts / 4294967296), pos);
      pos = buf.writeUInt32LE(ts % 4294967296, pos);
      pos = buf.writeUInt32LE(caplen, pos);
      pos = buf.writeUInt32LE(caplen, pos);
    } else {
      pos = buf.writeUInt32LE(sec, pos);
      pos = buf.writeUInt32LE(usec, pos);
      pos = buf.writeUInt32LE(caplen, pos);
      pos = buf.writeUInt32LE(caplen, pos);
    }
    const start = pos;
    // Ethernet
    buf.fill(0x02, pos, pos + 12);
    buf[pos + 5] = fromClient ? 1 : 2;
    buf[pos + 11] = fromClient ? 2 : 1;
    pos += 12;
    pos = buf.writeUInt16BE(0x0800, pos);
    // IPv4
    pos = buf.writeUInt8(0x45, pos);
    pos = buf.writeUInt8(0, pos);
    pos = buf.writeUInt16BE(40 + plen, pos);
    pos = buf.writeUInt16BE(nconn & 0xffff, pos);
    pos = buf.writeUInt16BE(0x4000, pos);
    pos = buf.writeUInt8(64, pos);
    pos = buf.writeUInt8(6, pos);
    pos = buf.writeUInt16BE(0, pos);
    pos = buf.writeUInt32BE(fromClient ? c.client : c.server, pos);
    pos = buf.writeUInt32BE(fromClient ? c.server : c.client, pos);
    // TCP
    pos = buf.writeUInt16BE(fromClient ? c.cport : c.sport, pos);
    pos = buf.writeUInt16BE(fromClient ? c.sport : c.cport, pos);
    pos = buf.writeUInt32BE(fromClient ? c.cseq : c.sseq, pos);
    pos = buf.writeUInt32BE(flags & 0x10 ? (fromClient ? c.sseq : c.cseq) : 0, pos);
    pos = buf.writeUInt8(0x50, pos);
    pos = buf.writeUInt8(flags, pos);
    pos = buf.writeUInt16BE(flags & 0x04 ? 0 : 64240, pos);
    pos = buf.writeUInt32BE(0, pos);
    buf.fill(0x41, pos, pos + plen);
    pos += plen;
    if (ng) pos = start + ((caplen + 3) & ~3);
    if (ng) pos = buf.writeUInt32LE(32 + ((caplen + 3) & ~3), pos);
    const adv = plen + (flags & 0x03 ? 1 : 0);
    if (fromClient) c.cseq = (c.cseq + adv) >>> 0;
    else c.sseq = (c.sseq + adv) >>> 0;
  };
  // step one connection; returns false when it has finished
  const step = (c: Conn): boolean => {
    const s = c.step++;
    if (s === 0) { frame(c, true, 0x02, 0); return true; }
    if (c.plan === 4) { frame(c, true, 0x02, 0); c.cseq = (c.cseq - 1) >>> 0; return s < 2; }
    if (s === 1) { if (c.plan === 3) { frame(c, false, 0x14, 0); return false; } frame(c, false, 0x12, 0); return true; }
    if (s === 2) { frame(c, true, 0x10, 0); return true; }
    if (c.dataLeft > 0) {
      c.dataLeft--;
      frame(c, c.dataLeft % 2 === 0, 0x18, 20 + Math.floor(rnd() * 60));
      return true;
    }
    if (c.plan === 2) { frame(c, true, 0x14, 0); return false; }
    c.dataLeft = -1 - (c.dataLeft < 0 ? -c.dataLeft : 0);
    const phase = -c.dataLeft - 1;
    if (phase === 0) { frame(c, false, 0x11, 0); return true; } // server FIN
    if (phase === 1) { frame(c, true, 0x10, 0); return true; } // client ACK
    if (c.plan === 1) {
      if (phase === 2) { frame(c, true, 0x11, 0); return true; } // client FIN
      if (phase === 3) { frame(c, true, 0x14, 0); return true; } // client RST right after
      frame(c, false, 0x04, 0); // late server RST
      return false;
    }
    if (phase === 2) { frame(c, true, 0x11, 0); return true; }
    frame(c, false, 0x10, 0);
    return false;
  };
  let n = 0;
  while (n < o.packets) {
    const k = Math.floor(rnd() * live.length);
    const c = live[k]!;
    if (!step(c)) live[k] = newConn();
    n++;
  }
  flush();
  closeSync(fd);
  return { packets: n, connections: nconn, bytes };
}
