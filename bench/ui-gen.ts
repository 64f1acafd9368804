/**
 * Deterministic capture for the UI benchmark: many SHORT TCP connections (1-5 packets each), so
 * that a capture of a few hundred MB holds ~1 M connections (bench/gen.ts makes long ones, ~15
 * packets each, which would need ~15 M packets for as many rows). Classic pcap, Ethernet/IPv4,
 * a seeded PRNG and a fixed start time: same arguments, same bytes.
 *
 * Outcomes, so that filters have something to select (shares of connections):
 *   55 % graceful       SYN, SYN-ACK, FIN-ACK (orig), FIN-ACK (resp)
 *   12 % abort          SYN, SYN-ACK, ACK, RST (orig)
 *   10 % fin-then-rst   SYN, SYN-ACK, FIN-ACK (orig), RST (orig)            -> rst-after-fin
 *    8 % late RST       SYN, SYN-ACK, FIN-ACK, FIN-ACK, RST (resp)         -> late-rst
 *    8 % rejected       SYN, RST-ACK
 *    4 % unanswered     SYN, SYN (retransmission)
 *    3 % open           SYN, SYN-ACK, ACK
 * Originators alternate between 10.0.0.0/8 and 172.16.0.0/12 (one address per connection, so no
 * 5-tuple is reused), so `ip.addr == 10.0.0.0/8` keeps about half the rows.
 *
 * generateLongConn writes the opposite: ONE long connection, for the timeline's benchmark
 * (bench/ui-timeline.ts).
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { mulberry32 } from './gen.js';


const F = 0x01, S = 0x02, R = 0x04, A = 0x10;
const O = true, P = false; // sent by the originator / by the responder
/** per plan: [fromOrig, flags] pairs, in order */
const PLANS: readonly (readonly [boolean, number])[][] = [
  [[O, S], [P, S | A], [O, F | A], [P, F | A]],
  [[O, S], [P, S | A], [O, A], [O, R]],
  [[O, S], [P, S | A], [O, F | A], [O, R]],
  [[O, S], [P, S | A], [O, F | A], [P, F | A], [P, R]],
  [[O, S], [P, R | A]],
  [[O, S], [O, S]],
  [[O, S], [P, S | A], [O, A]],
];
const CUMULATIVE = [0.55, 0.67, 0.77, 0.85, 0.93, 0.97, 1];

interface Live {
  n: number;
  plan: number;
  step: number;
  oseq: number;
  rseq: number;
}

export interface UiGenResult {
  packets: number;
  connections: number;
  bytes: number;
}

/** Write `conns` short connections to `path` (classic pcap), `window` of them interleaved. */
export function generateShortConns(path: string, conns: number, seed = 7, window = 256): UiGenResult {
  const rnd = mulberry32(seed);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(4 << 20);
  let pos = 0;
  let bytes = 0;
  const flush = (): void => {
    writeSync(fd, buf, 0, pos);
    bytes += pos;
    pos = 0;
  };
  // pcap global header: µs timestamps, snaplen 262144, Ethernet
  pos = buf.writeUInt32LE(0xa1b2c3d4, pos);
  pos = buf.writeUInt16LE(2, pos);
  pos = buf.writeUInt16LE(4, pos);
  pos = buf.writeUInt32LE(0, pos);
  pos = buf.writeUInt32LE(0, pos);
  pos = buf.writeUInt32LE(262144, pos);
  pos = buf.writeUInt32LE(1, pos);

  let t = 1_700_000_000 * 1e6; // µs
  let started = 0;
  let packets = 0;
  const start = (): Live | undefined => {
    if (started >= conns) return undefined;
    const r = rnd();
    let plan = 0;
    while (r >= CUMULATIVE[plan]!) plan++;
    return { n: started++, plan, step: 0, oseq: (rnd() * 0xffffffff) >>> 0, rseq: (rnd() * 0xffffffff) >>> 0 };
  };
  const frame = (c: Live, fromOrig: boolean, flags: number): void => {
    if (pos + 128 > buf.length) flush();
    t += 1 + Math.floor(rnd() * 10);
    pos = buf.writeUInt32LE(Math.floor(t / 1e6), pos);
    pos = buf.writeUInt32LE(t % 1e6, pos);
    pos = buf.writeUInt32LE(54, pos);
    pos = buf.writeUInt32LE(54, pos);
    const half = c.n >>> 1;
    const orig = c.n & 1 ? (0xac100000 | (half & 0xfffff)) >>> 0 : (0x0a000000 | (half & 0xffffff)) >>> 0;
    const resp = (0xc0a80001 + (c.n % 200)) >>> 0;
    const oport = 1024 + (c.n % 60000);
    const rport = c.n % 10 < 7 ? 443 : 80;
    // Ethernet
    buf.fill(0x02, pos, pos + 12);
    buf[pos + 5] = fromOrig ? 1 : 2;
    buf[pos + 11] = fromOrig ? 2 : 1;
    pos += 12;
    pos = buf.writeUInt16BE(0x0800, pos);
    // IPv4 (checksum left 0: rsttui does not verify it)
    pos = buf.writeUInt8(0x45, pos);
    pos = buf.writeUInt8(0, pos);
    pos = buf.writeUInt16BE(40, pos);
    pos = buf.writeUInt16BE(packets & 0xffff, pos);
    pos = buf.writeUInt16BE(0x4000, pos);
    pos = buf.writeUInt8(64, pos);
    pos = buf.writeUInt8(6, pos);
    pos = buf.writeUInt16BE(0, pos);
    pos = buf.writeUInt32BE(fromOrig ? orig : resp, pos);
    pos = buf.writeUInt32BE(fromOrig ? resp : orig, pos);
    // TCP
    pos = buf.writeUInt16BE(fromOrig ? oport : rport, pos);
    pos = buf.writeUInt16BE(fromOrig ? rport : oport, pos);
    pos = buf.writeUInt32BE(fromOrig ? c.oseq : c.rseq, pos);
    pos = buf.writeUInt32BE(flags & A ? (fromOrig ? c.rseq : c.oseq) : 0, pos);
    pos = buf.writeUInt8(0x50, pos);
    pos = buf.writeUInt8(flags, pos);
    pos = buf.writeUInt16BE(flags & R ? 0 : 64240, pos);
    pos = buf.writeUInt32BE(0, pos);
    // SYN and FIN take a sequence number; a retransmitted SYN repeats the first one
    const retransmit = c.plan === 5 && c.step === 1;
    if (flags & (S | F) && !retransmit) {
      if (fromOrig) c.oseq = (c.oseq + 1) >>> 0;
      else c.rseq = (c.rseq + 1) >>> 0;
    }
    packets++;
  };

  const live: Live[] = [];
  for (let k = 0; k < window; k++) {
    const c = start();
    if (c) live.push(c);
  }
  while (live.length > 0) {
    const k = Math.floor(rnd() * live.length);
    const c = live[k]!;
    const plan = PLANS[c.plan]!;
    const [fromOrig, flags] = plan[c.step]!;
    if (c.plan === 5 && c.step === 1) c.oseq = (c.oseq - 1) >>> 0; // resend the same SYN
    frame(c, fromOrig, flags);
    c.step++;
    if (c.step >= plan.length) {
      const next = start();
      if (next) live[k] = next;
      else {
        live[k] = live[live.length - 1]!;
        live.pop();
      }
    }
  }
  flush();
  closeSync(fd);
  return { packets, connections: started, bytes };
}

/** One connection of `n` client data segments (each acknowledged) ending as the seed's does. */
export function generateLongConn(path: string, n: number): number {
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(1 << 20);
  let pos = 0;
  const flush = (): void => {
    writeSync(fd, buf, 0, pos);
    pos = 0;
  };
  pos = buf.writeUInt32LE(0xa1b2c3d4, pos);
  pos = buf.writeUInt16LE(2, pos);
  pos = buf.writeUInt16LE(4, pos);
  pos = buf.writeUInt32LE(0, pos);
  pos = buf.writeUInt32LE(0, pos);
  pos = buf.writeUInt32LE(262144, pos);
  pos = buf.writeUInt32LE(1, pos);
  let t = 1_700_000_000 * 1e6;
  const seq = [1_000_000, 2_000_000];
  let packets = 0;
  const F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10;
  const frame = (fromClient: boolean, flags: number, len: number, dt = 150): void => {
    if (pos + 256 > buf.length) flush();
    t += dt;
    const s = fromClient ? 0 : 1;
    pos = buf.writeUInt32LE(Math.floor(t / 1e6), pos);
    pos = buf.writeUInt32LE(t % 1e6, pos);
    pos = buf.writeUInt32LE(54 + len, pos);
    pos = buf.writeUInt32LE(54 + len, pos);
    buf.fill(0x02, pos, pos + 12);
    buf[pos + 5] = fromClient ? 1 : 2;
    buf[pos + 11] = fromClient ? 2 : 1;
    pos += 12;
    pos = buf.writeUInt16BE(0x0800, pos);
    pos = buf.writeUInt8(0x45, pos);
    pos = buf.writeUInt8(0, pos);
    pos = buf.writeUInt16BE(40 + len, pos);
    pos = buf.writeUInt16BE(packets & 0xffff, pos);
    pos = buf.writeUInt16BE(0x4000, pos);
    pos = buf.writeUInt8(64, pos);
    pos = buf.writeUInt8(6, pos);
    pos = buf.writeUInt16BE(0, pos);
    pos = buf.writeUInt32BE(fromClient ? 0x0a000001 : 0xc0a80001, pos);
    pos = buf.writeUInt32BE(fromClient ? 0xc0a80001 : 0x0a000001, pos);
    pos = buf.writeUInt16BE(fromClient ? 40000 : 443, pos);
    pos = buf.writeUInt16BE(fromClient ? 443 : 40000, pos);
    pos = buf.writeUInt32BE(seq[s]! >>> 0, pos);
    pos = buf.writeUInt32BE(flags & A ? seq[1 - s]! >>> 0 : 0, pos);
    pos = buf.writeUInt8(0x50, pos);
    pos = buf.writeUInt8(flags, pos);
    pos = buf.writeUInt16BE(flags & R ? 0 : 64240, pos);
    pos = buf.writeUInt32BE(0, pos);
    buf.fill(0x41, pos, pos + len);
    pos += len;
    if (!(flags & R)) seq[s] = (seq[s]! + len + (flags & (S | F) ? 1 : 0)) >>> 0;
    packets++;
  };
  frame(true, S, 0);
  frame(false, S | A, 0);
  frame(true, A, 0);
  for (let i = 0; i < n; i++) {
    frame(true, P | A, 100);
    frame(false, A, 0);
  }
  frame(false, F | A, 0, 15_000_000);
  frame(true, A, 0);
  frame(true, F | A, 0, 600_000);
  frame(true, R | A, 0, 0);
  frame(false, R, 0, 50);
  flush();
  closeSync(fd);
  return packets;
}
