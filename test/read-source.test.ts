/**
 * Input sources and kind detection: gzip found by magic (not name), stdin, truncated gzip kept up
 * to the break, text inputs recognised by content, and readCapture picking the reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { ROOT, fixture } from './helpers.js';
import { sniffKind } from '../src/read/detect.js';
import { openInput, openSource, readCapture } from '../src/read/source.js';
import type { InputIssue, RecordSink } from '../src/model.js';

function collector(): { sink: RecordSink; recs: string[]; issues: InputIssue[] } {
  const recs: string[] = [];
  const issues: InputIssue[] = [];
  return {
    recs,
    issues,
    sink: {
      record(data, off, caplen, origlen, sec, nsec, linktype, iface, frame, fileOffset) {
        recs.push(`${frame} ${sec}.${nsec} ${caplen}/${origlen} lt${linktype} if${iface} @${fileOffset} ${Buffer.from(data.subarray(off, off + caplen)).toString('hex')}`);
      },
      issue(i) {
        issues.push(i);
      },
    },
  };
}

async function concat(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c)); // copy: plain-file chunks are pooled
  return Buffer.concat(parts);
}

test('sniffKind: captures by magic', () => {
  for (const f of ['eth-usec-le.pcap', 'eth-nsec.pcap', 'eth-usec-be.pcap', 'eth-nsec-be.pcap']) {
    assert.equal(sniffKind(readFileSync(fixture(`formats/${f}`))), 'pcap', f);
  }
  for (const f of ['eth.pcapng', 'be-section.pcapng']) assert.equal(sniffKind(readFileSync(fixture(`formats/${f}`))), 'pcapng', f);
  for (const f of ['eth.pcap.gz', 'eth.pcapng.gz', 'gzip-no-ext']) assert.equal(sniffKind(readFileSync(fixture(`formats/${f}`))), 'gzip', f);
});

test('sniffKind: text and junk by content', () => {
  const k = (rel: string): string => sniffKind(readFileSync(fixture(rel)));
  assert.equal(k('logs/seed-asa.log'), 'syslog');
  for (const f of ['seed-inside.txt', 'seed-outside.txt', 'seed-clean.txt', 'tcpdump-real.txt', 'tcpdump-real-tt.txt', 'tcpdump-real-tttt.txt']) {
    assert.equal(k(`text/${f}`), 'text-capture', f);
  }
  assert.equal(k('malformed/garbage.txt'), 'unknown');
  assert.equal(k('malformed/bad-magic.pcap'), 'unknown');
  assert.equal(k('malformed/no-shb.pcapng'), 'unknown');
  assert.equal(sniffKind(new Uint8Array(0)), 'unknown');
  // FTD / PIX tags under another envelope, after a blank line and a banner
  assert.equal(sniffKind(Buffer.from('\nsyslog export\n2024-01-01T00:00:00Z fw1 %FTD-6-302014: Teardown TCP connection 1\n')), 'syslog');
  assert.equal(sniffKind(Buffer.from('<166>%PIX-6-302013: Built outbound TCP connection 2\n')), 'syslog');
  // an ASA `show capture` header line before the packets, indented frame numbers
  assert.equal(sniffKind(Buffer.from('3 packets captured\n\n   1: 12:00:47.907301       10.0.0.1.443 > 10.0.0.2.5000: R 1:1(0) win 0\n')), 'text-capture');
  assert.equal(sniffKind(Buffer.from('12:00:00.000001 IP6 fd98::1.5000 > fd98::2.443: Flags [R], seq 1, win 0, length 0\n')), 'text-capture');
  assert.equal(sniffKind(Buffer.from('hello\nworld\n')), 'unknown');
});

test('openSource: plain file, chunks are the file', async () => {
  const path = fixture('formats/eth.pcapng');
  const s = await openSource(path);
  assert.equal(s.compressed, false);
  assert.equal(s.size, statSync(path).size);
  assert.deepEqual(await concat(s.chunks()), readFileSync(path));
  assert.equal(s.bytesRead(), s.size);
});

test('openSource: gzip by magic, also without a .gz name', async () => {
  for (const name of ['eth.pcap.gz', 'gzip-no-ext']) {
    const path = fixture(`formats/${name}`);
    const s = await openSource(path);
    assert.equal(s.compressed, true, name);
    assert.equal(s.size, statSync(path).size);
    const out = await concat(s.chunks());
    assert.deepEqual(out, gunzipSync(readFileSync(path)));
    // README: eth.pcap.gz is gzip -9n of eth-usec-le.pcap
    assert.deepEqual(out, readFileSync(fixture('formats/eth-usec-le.pcap')));
    assert.equal(s.bytesRead(), s.size);
  }
});

test('readCapture: gzip and plain give the same records; progress reaches the size', async () => {
  const plain = collector();
  const r0 = await readCapture(fixture('formats/eth-usec-le.pcap'), plain.sink);
  assert.deepEqual(r0, { kind: 'pcap', frames: 11, bytes: statSync(fixture('formats/eth-usec-le.pcap')).size });
  for (const name of ['eth.pcap.gz', 'gzip-no-ext']) {
    const c = collector();
    let last: [number, number | undefined] = [0, 0];
    const r = await readCapture(fixture(`formats/${name}`), c.sink, (done, size) => (last = [done, size]));
    assert.equal(r.kind, 'pcap');
    assert.deepEqual(c.issues, []);
    assert.deepEqual(c.recs, plain.recs, name);
    const size = statSync(fixture(`formats/${name}`)).size;
    assert.deepEqual(last, [size, size]);
  }
  const ng = collector();
  const ngz = collector();
  await readCapture(fixture('formats/eth.pcapng'), ng.sink);
  const r = await readCapture(fixture('formats/eth.pcapng.gz'), ngz.sink);
  assert.equal(r.kind, 'pcapng');
  assert.equal(ngz.recs.length, 11);
  assert.deepEqual(ngz.recs, ng.recs);
});

test('truncated.pcap.gz: bad-gzip at the decompressed offset reached, the 2 whole records kept', async () => {
  const path = fixture('malformed/truncated.pcap.gz');
  // README: the cut deflate stream inflates to a prefix holding the header and 2 whole records;
  // a sync-flush inflate (no end-of-stream check) measures that prefix independently
  const reached = gunzipSync(readFileSync(path), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
  assert.ok(reached > 204 && reached < 966, String(reached));
  const c = collector();
  const r = await readCapture(path, c.sink);
  assert.equal(r.kind, 'pcap');
  assert.equal(r.bytes, reached);
  assert.equal(c.recs.length, 2);
  const gz = c.issues.find((i) => i.code === 'bad-gzip');
  assert.ok(gz, JSON.stringify(c.issues));
  assert.equal(gz.offset, reached);
  assert.equal(gz.severity, 'error');
  assert.match(gz.file, /truncated\.pcap\.gz$/);
  assert.match(gz.message, new RegExp(`cut short after ${reached} decompressed bytes`));
  // and the record the break cut through (third record header at 204)
  const tr = c.issues.find((i) => i.code === 'truncated-record');
  assert.equal(tr?.offset, 204);
});

test('readCapture: not a capture gives one fatal issue naming the file', async () => {
  const c = collector();
  const r = await readCapture(fixture('malformed/garbage.txt'), c.sink);
  assert.equal(r.kind, 'unknown');
  assert.equal(c.issues.length, 1);
  assert.equal(c.issues[0]!.code, 'bad-magic');
  assert.equal(c.issues[0]!.fatal, true);
  assert.equal(c.issues[0]!.offset, 0);
  const s = collector();
  const rs = await readCapture(fixture('logs/seed-asa.log'), s.sink);
  assert.equal(rs.kind, 'syslog');
  assert.equal(s.issues[0]!.code, 'not-a-capture');
  const m = collector();
  await readCapture(fixture('no/such/file.pcap'), m.sink);
  assert.equal(m.issues[0]!.code, 'open-failed');
});

test('openInput: the peeked bytes are replayed, so text can be handed on', async () => {
  const path = fixture('text/tcpdump-real.txt');
  const inp = await openInput(path);
  assert.equal(inp.kind, 'text-capture');
  assert.deepEqual(await concat(inp.chunks), readFileSync(path));
});

/** Run readCapture('-') in a child with `input` on stdin; returns its result and record count. */
function viaStdin(input: Buffer): { kind: string; frames: number; n: number; issues: string[] } {
  const code = `import { readCapture } from './src/read/source.ts';
let n = 0; const issues = [];
const r = await readCapture('-', { record() { n++; }, issue(i) { issues.push(i.code); } });
console.log(JSON.stringify({ ...r, n, issues }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { kind: string; frames: number; n: number; issues: string[] };
}

test('stdin: plain pcap, gzip pcapng and a truncated gzip read from -', () => {
  const a = viaStdin(readFileSync(fixture('formats/eth-usec-be.pcap')));
  assert.deepEqual([a.kind, a.frames, a.n, a.issues], ['pcap', 11, 11, []]);
  const b = viaStdin(readFileSync(fixture('formats/eth.pcapng.gz')));
  assert.deepEqual([b.kind, b.frames, b.n, b.issues], ['pcapng', 11, 11, []]);
  const c = viaStdin(readFileSync(fixture('malformed/truncated.pcap.gz')));
  assert.deepEqual([c.kind, c.n], ['pcap', 2]);
  assert.deepEqual(c.issues.sort(), ['bad-gzip', 'truncated-record']);
});
