/**
 * `rsttui packets` against tshark, packet by packet, on every capture fixture: frame number,
 * addresses, ports, flags, raw seq/ack, payload length and window must be the same.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, fixture, tool } from './helpers.js';

const dirs = ['tcp', 'formats'];
const files = dirs.flatMap((d) => {
  try {
    return readdirSync(fixture(d)).filter((f) => /\.(pcap|pcapng|gz)$/.test(f) || f === 'gzip-no-ext').map((f) => join(fixture(d), f));
  } catch {
    return [];
  }
}).concat([fixture('malformed/block-length-unpadded.pcapng')]); // (damaged, but wholly readable as tshark reads it)

interface Row { frame: number; src: string; sport: number; dst: string; dport: number; flags: string; seq: number; ack: number; len: number; win: number }

const FLAG_LETTERS = 'FSRPAUEC';
const letters = (hex: string): string => {
  const v = parseInt(hex, 16);
  let s = '';
  for (let b = 0; b < 8; b++) if (v & (1 << b)) s += FLAG_LETTERS[b];
  return s;
};

function tsharkRows(file: string): Row[] {
  // -o tcp.desegment... off and no reassembly: one line per TCP segment as captured
  const r = spawnSync('tshark', ['-r', file, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-Y', 'tcp && !icmp && !icmpv6', '-T', 'fields', '-E', 'separator=|',
    '-e', 'frame.number', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport',
    '-e', 'tcp.flags', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.len', '-e', 'tcp.window_size_value'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return r.stdout.split('\n').filter(Boolean).map((l) => {
    const f = l.split('|');
    return {
      frame: Number(f[0]), src: f[1] || f[2]!, sport: Number(f[3]), dst: f[4] || f[5]!, dport: Number(f[6]), flags: letters(f[7]!),
      seq: Number(f[8]), ack: Number(f[9]), len: Number(f[10]), win: Number(f[11]),
    };
  });
}

function ourRows(file: string): Row[] {
  const r = spawnSync('node', [BIN, 'packets', '--format', 'ndjson', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return r.stdout.split('\n').filter(Boolean).map((l) => {
    const o = JSON.parse(l) as Row;
    return { frame: o.frame, src: o.src, sport: o.sport, dst: o.dst, dport: o.dport, flags: o.flags, seq: o.seq, ack: o.ack, len: o.len, win: o.win };
  });
}

const t = tool('tshark');
test('there are capture fixtures to cross-check', () => {
  assert.ok(files.length >= 20, `only ${files.length} fixtures found`);
});

for (const file of files) {
  test(`packets agrees with tshark: ${file.split('/fixtures/')[1]}`, { skip: t.ok ? false : t.skip }, () => {
    const theirs = tsharkRows(file);
    const ours = ourRows(file).sort((a, b) => a.frame - b.frame);
    // frames tshark sees as TCP but rsttui skips: fragments (not reassembled) and cut headers
    const ourFrames = new Set(ours.map((r) => r.frame));
    const missing = theirs.filter((r) => !ourFrames.has(r.frame));
    const expectMissing = /fragments|snaplen-short/.test(file);
    if (!expectMissing) assert.deepEqual(missing.map((r) => r.frame), [], 'frames tshark decodes as TCP that rsttui skipped');
    const byFrame = new Map(theirs.map((r) => [r.frame, r]));
    assert.ok(ours.length > 0 || expectMissing, 'no packets');
    for (const o of ours) {
      const th = byFrame.get(o.frame);
      assert.ok(th, `frame ${o.frame}: rsttui reports a TCP packet tshark does not`);
      assert.deepEqual(o, th, `frame ${o.frame}`);
    }
  });
}
