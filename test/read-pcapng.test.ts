/**
 * pcapng reader against the committed fixtures (tshark as the reference for frame numbers,
 * times and lengths) and each malformed file's issue at the offset fixtures/malformed/README.md gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fixture, tool } from './helpers.js';
import { readWith, type Rec } from './reader-harness.js';
import { PcapngReader } from '../src/read/pcapng.js';
import { LINKTYPE, type InputIssue } from '../src/model.js';

const read = (bytes: Uint8Array, step?: number) => readWith((f, sink) => new PcapngReader(f, sink), bytes, step);

interface TsRow { frame: number; line: string; iface: number }

/**
 * tshark's packet rows (frame.encap_type is empty for non-packet records such as Custom Blocks,
 * which tshark numbers too). A packet without a timestamp (SPB) has an empty time: we give 0.
 */
function tshark(path: string): TsRow[] {
  const r = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id', '-e', 'frame.encap_type'], { encoding: 'utf8' });
  const rows: TsRow[] = [];
  for (const l of r.stdout.split('\n')) {
    const f = l.split('\t');
    if (f.length < 6 || f[5] === '') continue;
    rows.push({ frame: Number(f[0]), line: `${f[0]}\t${f[1] === '' ? '0.000000000' : f[1]}\t${f[2]}\t${f[3]}`, iface: Number(f[4]) });
  }
  return rows;
}

const lines = (recs: Rec[]): string[] => recs.map((r) => `${r.frame}\t${r.time}\t${r.origlen}\t${r.caplen}`);
const ts = tool('tshark');
const skip = ts.ok ? false : ts.skip;

for (const name of ['eth.pcapng', 'multi-if.pcapng', 'tsresol.pcapng', 'be-section.pcapng', 'spb.pcapng', 'obsolete-pb.pcapng', 'unknown-block.pcapng', 'two-sections.pcapng']) {
  test(`${name}: every packet as tshark reads it`, { skip }, () => {
    const path = fixture(`formats/${name}`);
    const { recs, issues } = read(readFileSync(path));
    assert.deepEqual(issues, []);
    const rows = tshark(path);
    assert.ok(rows.length > 0);
    assert.deepEqual(lines(recs), rows.map((r) => r.line));
    // tshark 4.0 numbers interfaces per section; only two-sections.pcapng has more than one
    if (name !== 'two-sections.pcapng') assert.deepEqual(recs.map((r) => r.iface), rows.map((r) => r.iface));
  });
}

test('block rewrites keep the packets of eth.pcapng', () => {
  // README: be-section, obsolete-pb, spb and unknown-block are eth.pcapng with blocks rewritten
  const base = read(readFileSync(fixture('formats/eth.pcapng'))).recs;
  assert.equal(base.length, 11);
  assert.ok(base.every((r) => r.linktype === LINKTYPE.ETHERNET && r.iface === 0));
  for (const name of ['be-section.pcapng', 'obsolete-pb.pcapng']) {
    const recs = read(readFileSync(fixture(`formats/${name}`))).recs;
    assert.deepEqual(recs.map(({ fileOffset: _, ...r }) => r), base.map(({ fileOffset: _, ...r }) => r), name);
  }
  const spb = read(readFileSync(fixture('formats/spb.pcapng'))).recs;
  assert.deepEqual(spb.map((r) => r.hex), base.map((r) => r.hex));
  assert.ok(spb.every((r) => r.time === '0.000000000' && r.iface === 0 && r.linktype === LINKTYPE.ETHERNET));
  // the NRB and the unknown block are skipped without taking a frame number
  const unk = read(readFileSync(fixture('formats/unknown-block.pcapng'))).recs;
  assert.deepEqual(unk.map(({ fileOffset: _, ...r }) => r), base.map(({ fileOffset: _, ...r }) => r));
});

test('multi-if.pcapng: interface 0 Ethernet, interface 1 Linux SLL', () => {
  const { recs } = read(readFileSync(fixture('formats/multi-if.pcapng')));
  assert.equal(recs.length, 22);
  for (const r of recs) assert.equal(r.linktype, r.iface === 0 ? LINKTYPE.ETHERNET : LINKTYPE.LINUX_SLL);
  assert.equal(recs.filter((r) => r.iface === 1).length, 11);
});

test('two-sections.pcapng: the second section restarts interfaces; numbers stay file-wide', () => {
  const { recs } = read(readFileSync(fixture('formats/two-sections.pcapng')));
  // README: section 1 is eth.pcapng (11 packets, Ethernet); section 2 one Linux SLL interface
  assert.equal(recs.length, 22);
  assert.ok(recs.slice(0, 11).every((r) => r.iface === 0 && r.linktype === LINKTYPE.ETHERNET));
  assert.ok(recs.slice(11).every((r) => r.iface === 1 && r.linktype === LINKTYPE.LINUX_SLL));
});

test('tsresol.pcapng: if_tsoffset and a binary if_tsresol give eth-nsec.pcap times (within 1 us)', () => {
  const { recs } = read(readFileSync(fixture('formats/tsresol.pcapng')));
  const nsec = readFileSync(fixture('formats/eth-nsec.pcap'));
  // eth-nsec.pcap, little-endian nanosecond pcap: record headers hold sec, nsec
  let o = 24;
  for (const r of recs) {
    const want = BigInt(nsec.readUInt32LE(o)) * 1_000_000_000n + BigInt(nsec.readUInt32LE(o + 4));
    const [s, n] = r.time.split('.');
    const got = BigInt(s!) * 1_000_000_000n + BigInt(n!);
    const diff = got > want ? got - want : want - got;
    // README: if0 and if1 hold nanoseconds; the others (2^-20 s, default microseconds) are within 1 us
    assert.ok(diff <= (r.iface >= 2 ? 1000n : 0n), `frame ${r.frame} iface ${r.iface}: ${got} vs ${want}`);
    o += 16 + nsec.readUInt32LE(o + 8);
  }
  assert.ok(new Set(recs.map((r) => r.iface)).size >= 3);
});

test('blocks straddling chunk boundaries read the same as one chunk', () => {
  for (const name of ['two-sections.pcapng', 'be-section.pcapng', 'unknown-block.pcapng']) {
    const bytes = readFileSync(fixture(`formats/${name}`));
    const whole = read(bytes);
    for (const step of [1, 5, 12, 13, 100, 333]) assert.deepEqual(read(bytes, step), whole, `${name} step ${step}`);
  }
});

function only(issues: InputIssue[]): InputIssue {
  assert.equal(issues.length, 1, JSON.stringify(issues));
  return issues[0]!;
}

for (const [name, why] of [
  ['zero-length-block.pcapng', /length 0/],
  ['wrong-block-length.pcapng', /100 at its start but 108 at its end/],
  // (its padding bytes left out too: rounded up to 100 as Wireshark does, the trailer is not where it should be)
  ['block-length-not-multiple-of-4.pcapng', /total length 98 \(read as 100, rounded up to a multiple of 4\) at its start but 393216 at its end/],
] as const) {
  test(`${name}: bad-block-length at offset 456, packets 1-2 kept, reading stops`, () => {
    for (const step of [undefined, 9]) {
      const { recs, issues } = read(readFileSync(fixture(`malformed/${name}`)), step);
      const i = only(issues);
      assert.equal(i.code, 'bad-block-length');
      assert.equal(i.severity, 'error');
      assert.equal(i.offset, 456);
      assert.match(i.message, why);
      assert.deepEqual(recs.map((r) => r.frame), [1, 2]);
      assert.deepEqual(recs.map((r) => r.fileOffset), [240, 348]);
    }
  });
}

test('block-length-unpadded.pcapng: old writers\' total lengths without the padding are read as Wireshark reads them, with one warning', { skip }, () => {
  const path = fixture('malformed/block-length-unpadded.pcapng');
  const base = read(readFileSync(fixture('formats/eth.pcapng'))).recs;
  for (const step of [undefined, 7, 100]) {
    const { recs, issues } = read(readFileSync(path), step);
    assert.deepEqual(recs, base, `step ${step}: the packets of eth.pcapng, at the same offsets`);
    assert.equal(issues.length, 2, JSON.stringify(issues));
    assert.equal(issues[0]!.code, 'block-length-unpadded');
    assert.equal(issues[0]!.severity, 'warning');
    assert.equal(issues[0]!.offset, 240);
    assert.match(issues[0]!.message, /total length 106, not a multiple of 4 .*read as 108, as Wireshark does/);
    assert.match(issues[1]!.message, /^10 more 'block-length-unpadded' issues not shown$/);
  }
  assert.deepEqual(lines(read(readFileSync(path)).recs), tshark(path).map((r) => r.line));
});

test('truncated-block.pcapng: packets 1-2, then a truncated-block warning at offset 456', () => {
  for (const step of [undefined, 50]) {
    const { recs, issues } = read(readFileSync(fixture('malformed/truncated-block.pcapng')), step);
    const i = only(issues);
    assert.equal(i.code, 'truncated-block');
    assert.equal(i.severity, 'warning');
    assert.equal(i.offset, 456);
    assert.match(i.message, /61 of its 100 bytes/);
    assert.equal(recs.length, 2);
  }
});

test('no-shb.pcapng: fatal bad-magic at offset 0', () => {
  const { recs, issues } = read(readFileSync(fixture('malformed/no-shb.pcapng')));
  const i = only(issues);
  assert.equal(i.code, 'bad-magic');
  assert.equal(i.offset, 0);
  assert.equal(i.fatal, true);
  assert.equal(recs.length, 0);
});

test('epb-unknown-interface.pcapng: block 3 skipped with a warning, the 8 after it kept', () => {
  const { recs, issues, frames } = read(readFileSync(fixture('malformed/epb-unknown-interface.pcapng')));
  const i = only(issues);
  assert.equal(i.code, 'unknown-interface');
  assert.equal(i.severity, 'warning');
  assert.equal(i.offset, 456);
  assert.equal(i.frame, 3);
  assert.match(i.message, /interface 5/);
  // the skipped record keeps its number, so later frames keep tshark's numbering of the intact file
  assert.deepEqual(recs.map((r) => r.frame), [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(frames, 11);
});

/** A little-endian pcapng block, padded, with both length fields. */
function blk(type: number, body: Buffer): Buffer {
  const pad = Buffer.alloc((4 - (body.length % 4)) % 4);
  const len = 12 + body.length + pad.length;
  const h = Buffer.alloc(8);
  h.writeUInt32LE(type, 0);
  h.writeUInt32LE(len, 4);
  const t = Buffer.alloc(4);
  t.writeUInt32LE(len, 0);
  return Buffer.concat([h, body, pad, t]);
}

function shb(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x1a2b3c4d, 0);
  b.writeUInt16LE(1, 4);
  b.writeBigInt64LE(-1n, 8);
  return blk(0x0a0d0d0a, b);
}

/** IDB: Ethernet, snaplen 0, optional if_tsresol. */
function idb(resol?: number): Buffer {
  const fixed = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
  if (resol === undefined) return blk(1, fixed);
  const opt = Buffer.alloc(12);
  opt.writeUInt16LE(9, 0);
  opt.writeUInt16LE(1, 2);
  opt.writeUInt8(resol, 4); // then opt_endofopt at 8
  return blk(1, Buffer.concat([fixed, opt]));
}

/** EPB on interface 0 with a 64-bit timestamp and `data`. */
function epb(ts: bigint, data: Buffer): Buffer {
  const f = Buffer.alloc(20);
  f.writeUInt32LE(Number(ts >> 32n), 4);
  f.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  f.writeUInt32LE(data.length, 12);
  f.writeUInt32LE(data.length, 16);
  return blk(6, Buffer.concat([f, data]));
}

/**
 * Timestamp arithmetic on resolutions no capture tool here writes (picoseconds, 2^-40 s, and a
 * nanosecond value above 2^53): a minimal in-memory SHB + IDB + EPB, checked against BigInt math.
 */
test('64-bit timestamps convert exactly for any if_tsresol', () => {
  const cases: [number, bigint][] = [
    [12, 1_700_000_000_123_456_789n], // picoseconds (about 20 days after the epoch)
    [0x80 | 40, (10_000_000n << 40n) + 123_456_789_012n], // 2^-40 s: 64 bits hold only 2^24 s
    [9, 9_007_199_254_740_993n * 100n + 7n], // ns, far above 2^53
    [3, 1_700_000_000_123n],
    [0x80 | 10, (1_700_000_000n << 10n) + 1023n],
  ];
  for (const [resol, v] of cases) {
    const { recs, issues } = read(Buffer.concat([shb(), idb(resol), epb(v, Buffer.alloc(4))]));
    assert.deepEqual(issues, []);
    const units = resol & 0x80 ? 1n << BigInt(resol & 0x7f) : 10n ** BigInt(resol);
    const want = `${v / units}.${String(((v % units) * 1_000_000_000n) / units).padStart(9, '0')}`;
    assert.equal(recs[0]!.time, want, `resol 0x${resol.toString(16)}`);
  }
});

/**
 * Frame numbers around non-packet blocks, checked against tshark itself: tshark numbers Custom
 * Blocks and systemd journal entries as frames, not ISB or unknown blocks. The file is built
 * here because no capture tool in the fixture set writes those blocks.
 */
test('non-packet records take frame numbers exactly where tshark gives them', { skip }, () => {
  const pen = Buffer.alloc(8);
  pen.writeUInt32LE(32473, 0); // RFC 5612 documentation PEN, then 4 bytes of data
  const isb = Buffer.alloc(12); // interface 0, timestamp 0, no options
  const eth = Buffer.from('ffffffffffff0000000000010800', 'hex');
  const file = Buffer.concat([
    shb(), idb(), epb(1n, eth),
    blk(0x00000bad, pen), epb(2n, eth),
    blk(0x40000bad, pen), epb(3n, eth),
    blk(9, Buffer.from('__REALTIME_TIMESTAMP=1000000\nMESSAGE=x\n')), epb(4n, eth),
    blk(5, isb), blk(0x0badbeef, Buffer.alloc(8)), epb(5n, eth),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-read-'));
  try {
    const path = join(dir, 'blocks.pcapng');
    writeFileSync(path, file);
    const want = tshark(path).map((r) => r.frame);
    assert.equal(want.length, 5);
    assert.deepEqual(read(file).recs.map((r) => r.frame), want);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
