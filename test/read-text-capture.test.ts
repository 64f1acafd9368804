import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fixture, tool } from './helpers.js';
import { ACK, FIN, PSH, RST, SYN } from '../src/model.js';
import { readTextCapture, sniffTextCapture, type TextPacket } from '../src/read/text-capture.js';

const read = (rel: string, opts = {}) => readTextCapture(readFileSync(fixture(rel), 'utf8'), rel, opts);
const day = (h: number, mi: number, s: number): number => Date.UTC(2018, 5, 20, h, mi, s) / 1000;
const us = (t: number): number => Math.round(t * 1e6);

test('seed inside listing: frames, flags, seq/ack/len/win; the denied server RST is there', () => {
  const r = read('text/seed-inside.txt', { date: '2018-06-20' });
  assert.equal(r.format, 'asa');
  assert.deepEqual(r.issues, []);
  const p = r.packets;
  assert.deepEqual(p.map((x) => x.frame), [33437, 33438, 33748, 33749, 33750]);
  // F with ack -> FIN|ACK; "." with ack -> ACK only; R with ack -> RST|ACK; R without ack -> RST alone
  assert.deepEqual(p.map((x) => x.flags), [FIN | ACK, ACK, FIN | ACK, RST | ACK, RST]);
  assert.deepEqual(p.map((x) => x.hasAck), [true, true, true, true, false]);
  assert.deepEqual([p[0]!.seq, p[0]!.ack, p[0]!.len, p[0]!.win], [2320205170, 991843171, 0, 65535]);
  assert.deepEqual([p[3]!.src, p[3]!.sport, p[3]!.dst, p[3]!.dport], ['203.0.113.147', 43918, '172.17.77.250', 443]);
  assert.deepEqual([p[3]!.seq, p[3]!.ack, p[3]!.win], [991843172, 2320205171, 0]);
  assert.deepEqual([p[4]!.seq, p[4]!.ack, p[4]!.win, p[4]!.src], [2320205171, 0, 0, '172.17.77.250']);
  // The pure ACK prints no seq: the client's next seq is what the server acked in 33437 and what its FIN uses in 33748.
  assert.equal(p[1]!.seq, p[0]!.ack);
  assert.equal(p[1]!.seq, p[2]!.seq);
  assert.equal(p[1]!.seqInferred, true);
  assert.equal(p[2]!.seqInferred, undefined);
  assert.equal(us(p[4]!.ts), us(day(12, 0, 50) + 0.443748));
  // the client's FIN and RST in the same microsecond
  assert.equal(p[2]!.ts, p[3]!.ts);
});

test('seed outside listing: the same end of connection, randomized seq, no server RST', () => {
  const r = read('text/seed-outside.txt', { date: '2018-06-20' });
  const inside = read('text/seed-inside.txt', { date: '2018-06-20' }).packets;
  const p = r.packets;
  assert.deepEqual(p.map((x) => x.frame), [32158, 32159, 32468, 32469]);
  assert.deepEqual(p.map((x) => x.flags), [FIN | ACK, ACK, FIN | ACK, RST | ACK]);
  assert.deepEqual([p[0]!.seq, p[0]!.ack, p[3]!.seq, p[3]!.ack, p[3]!.win], [3349673389, 965033113, 965033114, 3349673390, 0]);
  // The ASA shifts each direction by a constant: the same offset on every packet of a direction.
  const off = (a: TextPacket, b: TextPacket): number => (a.seq - b.seq) >>> 0;
  assert.equal(off(p[0]!, inside[0]!), (p[2]!.ack - inside[2]!.ack) >>> 0);
  assert.equal(off(p[2]!, inside[2]!), off(p[3]!, inside[3]!));
  assert.ok(!p.some((x) => x.flags === RST), 'the denied server RST is not outside');
});

test('seed clean-close listing: P with data, two FINs, two pure ACKs, options', () => {
  const p = read('text/seed-clean.txt', { date: '2018-06-20' }).packets;
  assert.deepEqual(p.map((x) => x.frame), [544, 545, 546, 547, 548]);
  assert.deepEqual(p.map((x) => x.flags), [FIN | ACK, PSH | ACK, FIN | ACK, ACK, ACK]);
  assert.deepEqual([p[1]!.seq, p[1]!.len, p[1]!.ack, p[1]!.win], [2290377569, 31, 221753879, 64296]);
  // server FIN follows its 31 data bytes
  assert.equal(p[2]!.seq, p[1]!.seq + p[1]!.len);
  assert.equal(p[0]!.options, 'nop,nop,timestamp 1618672784 1798676063');
  // the client's ACKs come after its FIN: next seq is FIN seq + 1
  assert.equal(p[3]!.seq, p[0]!.seq + 1);
  assert.deepEqual([p[3]!.ack, p[4]!.ack], [p[2]!.seq, p[2]!.seq + 1]);
});

test('ASA listing variants: headers, SYN options, UDP skipped, IPv6, midnight, detail lines, --tz, bad flags', () => {
  const r = read('text/asa-variants.txt', { date: '2018-06-20', tz: '+02:00' });
  const p = r.packets;
  assert.deepEqual(p.map((x) => x.frame), [1, 2, 3, 4, 6, 7, 8, 9]);
  assert.equal(r.nonTcp, 1);
  assert.deepEqual(r.issues.map((i) => [i.code, i.line]), [['bad-capture-line', 13]]);
  assert.deepEqual(p.map((x) => x.flags), [SYN, SYN | ACK, ACK, PSH | ACK, FIN | PSH | ACK, RST, RST, RST]);
  assert.equal(p[0]!.options, 'mss 1460,sackOK,timestamp 1 0,nop,wscale 7');
  assert.equal(us(p[0]!.ts), us(day(10, 0, 50) + 0.443687), '12:00:50 at +02:00 is 10:00:50 UTC');
  assert.deepEqual([p[4]!.src, p[4]!.sport, p[4]!.dst, p[4]!.dport, p[4]!.len], ['2001:db8::1', 51001, '2001:db8::2', 443, 10]);
  assert.equal(us(p[6]!.ts - p[5]!.ts), 200000, '23:59:59.9 -> 00:00:00.1 is the next day');
  assert.equal(p[7]!.line, 12, 'a detail packet is the line after its header');
  assert.equal(us(p[7]!.ts - p[6]!.ts), 900000);
  assert.equal(p[2]!.seq, 123456790, 'pure ACK after the SYN: ISN + 1');
});

test('times of day without --date: counted from 1970-01-01 with a warning', () => {
  const r = read('text/seed-inside.txt');
  assert.equal(us(r.packets[0]!.ts), us(12 * 3600 + 47.907301));
  assert.deepEqual(r.issues.map((i) => i.code), ['no-date']);
});

test('sniffing', () => {
  assert.equal(sniffTextCapture(readFileSync(fixture('text/seed-clean.txt'), 'utf8')), 'asa');
  assert.equal(sniffTextCapture(readFileSync(fixture('text/tcpdump-real-tt.txt'), 'utf8')), 'tcpdump');
  assert.equal(sniffTextCapture(readFileSync(fixture('logs/seed-asa.log'), 'utf8')), null);
});

interface Shark {
  ts: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  len: number;
  win: number;
}

function tshark(pcap: string): Shark[] {
  const r = spawnSync('tshark', ['-r', pcap, '-T', 'fields', '-E', 'separator=;', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'ipv6.src',
    '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'tcp.flags', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw',
    '-e', 'tcp.len', '-e', 'tcp.window_size_value'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => {
    const f = l.split(';');
    return {
      ts: f[0]!, src: f[1] || f[2]!, sport: +f[3]!, dst: f[4] || f[5]!, dport: +f[6]!, flags: parseInt(f[7]!, 16), seq: +f[8]!,
      ack: +f[9]!, len: +f[10]!, win: +f[11]!,
    };
  });
}

/** "1795324662.450372000" -> integer microseconds, without going through a float */
const sharkUs = (s: string): number => {
  const [a, b = ''] = s.split('.');
  return Number(a) * 1e6 + Number((b + '000000').slice(0, 6));
};

test('tcpdump text of a real capture = what tshark reads from the pcap (default, -S, -tt, -tttt)', (t) => {
  const tk = tool('tshark');
  if (!tk.ok) return t.skip(tk.skip);
  const want = tshark(fixture('text/tcpdump-real.pcap'));
  assert.ok(want.length >= 20);
  const d = new Date(sharkUs(want[0]!.ts) / 1000).toISOString().slice(0, 10);
  for (const [rel, relative] of [['text/tcpdump-real.txt', true], ['text/tcpdump-real-S.txt', false], ['text/tcpdump-real-tt.txt', false], ['text/tcpdump-real-tttt.txt', false]] as const) {
    const r = read(rel, { date: d });
    assert.equal(r.format, 'tcpdump', rel);
    assert.deepEqual(r.issues.map((i) => i.code), relative ? ['relative-seq'] : [], rel);
    assert.equal(r.packets.length, want.length, rel);
    r.packets.forEach((p, i) => {
      const w = want[i]!;
      const at = `${rel} line ${p.line}`;
      assert.equal(p.frame, i + 1, at);
      assert.equal(us(p.ts), sharkUs(w.ts), at);
      assert.deepEqual([p.src, p.sport, p.dst, p.dport], [w.src, w.sport, w.dst, w.dport], at);
      assert.equal(p.flags, w.flags, at);
      assert.equal(p.hasAck, (w.flags & ACK) !== 0, at);
      assert.equal(p.seq, w.seq, at);
      if (p.hasAck) assert.equal(p.ack, w.ack, at);
      assert.equal(p.len, w.len, at);
      assert.equal(p.win, w.win, at);
    });
  }
});

test('tcpdump relative numbers from a listing cut after the first packets cannot be undone: warned', () => {
  const lines = readFileSync(fixture('text/tcpdump-real.txt'), 'utf8').split('\n');
  // drop the handshake of the first connection: its first remaining packet is already relative
  const r = readTextCapture(lines.slice(3).join('\n'), 'cut.txt', { date: '2018-06-20' });
  assert.ok(r.issues.some((i) => i.code === 'relative-seq-unknown' && i.line === 1));
});
