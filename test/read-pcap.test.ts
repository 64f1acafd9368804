/**
 * Classic pcap reader against the committed fixtures: every record as tshark reports it, the
 * same records whatever the chunking, and each malformed file's issue at the offset that
 * fixtures/malformed/README.md gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fixture, tool } from './helpers.js';
import { readWith } from './reader-harness.js';
import { PcapReader } from '../src/read/pcap.js';
import { LINKTYPE, type InputIssue } from '../src/model.js';

const read = (bytes: Uint8Array, step?: number) => readWith((f, sink) => new PcapReader(f, sink), bytes, step);

/** tshark's view: frame number, epoch time (9 digits), frame length, captured length. */
function tshark(path: string): string[] {
  const r = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '');
}

const GOOD = ['eth-usec-le.pcap', 'eth-nsec.pcap', 'eth-usec-be.pcap', 'eth-nsec-be.pcap'];
const ts = tool('tshark');

for (const name of GOOD) {
  test(`${name}: every record as tshark reads it`, { skip: ts.ok ? false : ts.skip }, () => {
    const path = fixture(`formats/${name}`);
    const { recs, issues } = read(readFileSync(path));
    assert.deepEqual(issues, []);
    assert.deepEqual(recs.map((r) => `${r.frame}\t${r.time}\t${r.origlen}\t${r.caplen}`), tshark(path));
    // README: one Ethernet exchange; interface is always 0 in classic pcap
    assert.ok(recs.every((r) => r.linktype === LINKTYPE.ETHERNET && r.iface === 0));
  });
}

test('record offsets and bytes point into the file', () => {
  const bytes = readFileSync(fixture('formats/eth-usec-le.pcap'));
  const { recs } = read(bytes);
  // fixtures/malformed/README.md lists the record offsets of this file
  assert.deepEqual(recs.map((r) => r.fileOffset), [24, 114, 204, 286, 380, 462, 556, 638, 720, 802, 884]);
  for (const r of recs) assert.equal(r.hex, bytes.subarray(r.fileOffset + 16, r.fileOffset + 16 + r.caplen).toString('hex'));
});

test('big-endian files give the same records as their little-endian originals', () => {
  // README: eth-*-be.pcap are the LE files with headers byte-swapped, packets unchanged
  for (const [le, be] of [['eth-usec-le.pcap', 'eth-usec-be.pcap'], ['eth-nsec.pcap', 'eth-nsec-be.pcap']] as const) {
    const a = read(readFileSync(fixture(`formats/${le}`))).recs;
    const b = read(readFileSync(fixture(`formats/${be}`))).recs;
    assert.equal(a.length, 11);
    assert.deepEqual(b, a);
  }
});

test('nanosecond files keep sub-microsecond digits', () => {
  const { recs } = read(readFileSync(fixture('formats/eth-nsec.pcap')));
  // tcpdump's nano capture: at least one timestamp is not a whole microsecond
  assert.ok(recs.some((r) => !r.time.endsWith('000')));
});

test('records straddling chunk boundaries are the same as from one chunk', () => {
  const bytes = readFileSync(fixture('formats/eth-nsec-be.pcap'));
  const whole = read(bytes);
  for (const step of [1, 3, 16, 17, 25, 89, 500]) {
    const part = read(bytes, step);
    assert.deepEqual(part.recs, whole.recs, `step ${step}`);
    assert.deepEqual(part.issues, []);
  }
});

function only(issues: InputIssue[]): InputIssue {
  assert.equal(issues.length, 1, JSON.stringify(issues));
  return issues[0]!;
}

test('bad-magic.pcap: fatal bad-magic at offset 0, no records', () => {
  const { recs, issues } = read(readFileSync(fixture('malformed/bad-magic.pcap')));
  const i = only(issues);
  assert.equal(i.code, 'bad-magic');
  assert.equal(i.offset, 0);
  assert.equal(i.fatal, true);
  assert.match(i.message, /0b ad f0 0d/);
  assert.equal(recs.length, 0);
});

test('bad magic is seen from the first 4 bytes, even fed byte by byte', () => {
  const { issues } = read(readFileSync(fixture('malformed/bad-magic.pcap')).subarray(0, 10), 1);
  assert.equal(only(issues).code, 'bad-magic');
});

test('short-global-header.pcap: fatal short-header', () => {
  const { recs, issues } = read(readFileSync(fixture('malformed/short-global-header.pcap')));
  const i = only(issues);
  assert.equal(i.code, 'short-header');
  assert.equal(i.fatal, true);
  assert.equal(recs.length, 0);
});

for (const [name, what] of [['truncated-record.pcap', /33 of 66/], ['truncated-record-header.pcap', /7 of 16/]] as const) {
  test(`${name}: 10 good records, then truncated-record at offset 884`, () => {
    for (const step of [undefined, 7, 100]) {
      const { recs, issues, frames } = read(readFileSync(fixture(`malformed/${name}`)), step);
      const i = only(issues);
      assert.equal(i.code, 'truncated-record');
      assert.equal(i.severity, 'warning');
      assert.equal(i.offset, 884);
      assert.equal(i.frame, 11);
      assert.match(i.message, what);
      assert.equal(recs.length, 10);
      assert.equal(frames, 10);
      assert.equal(recs[9]!.fileOffset, 802);
    }
  });
}

test('absurd-caplen.pcap: stops with an error at record 3 (offset 204), keeps records 1-2', () => {
  for (const step of [undefined, 5]) {
    const { recs, issues } = read(readFileSync(fixture('malformed/absurd-caplen.pcap')), step);
    const i = only(issues);
    assert.equal(i.code, 'absurd-caplen');
    assert.equal(i.severity, 'error');
    assert.equal(i.offset, 204);
    assert.equal(i.frame, 3);
    assert.notEqual(i.fatal, true);
    assert.match(i.message, /2147483647/);
    assert.deepEqual(recs.map((r) => r.frame), [1, 2]);
  }
});

test('caplen-gt-snaplen.pcap: warns from offset 286 on and keeps every record, as tshark does', { skip: ts.ok ? false : ts.skip }, () => {
  const path = fixture('malformed/caplen-gt-snaplen.pcap');
  const { recs, issues } = read(readFileSync(path));
  assert.ok(issues.length >= 1);
  assert.ok(issues.every((i) => i.code === 'caplen-gt-snaplen' && i.severity === 'warning'));
  // README: snaplen patched to 74; the record at offset 286 (caplen 78) is the first over it
  assert.equal(issues[0]!.offset, 286);
  assert.match(issues[0]!.message, /78 exceeds the file's snaplen 74/);
  assert.deepEqual(recs.map((r) => `${r.frame}\t${r.time}\t${r.origlen}\t${r.caplen}`), tshark(path));
});
