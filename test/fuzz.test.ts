/**
 * The fuzz harness in CI: its mutators are deterministic and damage the fields they name, its
 * issue rule tells a positioned issue from one that is not, and a run of a few hundred inputs of
 * every kind (seed 1) finds nothing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KINDS, loadCorpus, makeInput } from '../fuzz/inputs.js';
import { packetFields, walk } from '../fuzz/capture-walk.js';
import { writeField } from '../fuzz/mutate-bin.js';
import { issueFault } from '../fuzz/issue-rule.js';
import { runFuzz } from '../fuzz/fuzz.js';
import { Pool } from '../fuzz/pool.js';
import { fileURLToPath } from 'node:url';
import { ROOT, fixture } from './helpers.js';
import { join } from 'node:path';

const corpus = loadCorpus(join(ROOT, 'fixtures'));

test('the corpus holds every kind of fixture, and input i of seed s is the same every time', () => {
  for (const k of ['pcap', 'pcapng', 'gzip', 'log', 'siem', 'text'] as const) assert.ok(corpus[k].length > 0, k);
  assert.ok(corpus.log.some((f) => f.rel.startsWith('logs/fortigate/')) && corpus.log.some((f) => f.rel.startsWith('logs/pf/')), 'every vendor');
  assert.ok(corpus.groups.length >= 3, 'captures with their logs');
  for (let i = 0; i < 2 * KINDS.length; i++) {
    const a = makeInput(corpus, 7, i, KINDS), b = makeInput(corpus, 7, i, KINDS);
    assert.equal(a.kind, KINDS[i % KINDS.length]);
    assert.deepEqual(a.files, b.files, `input ${i}`);
    assert.equal(a.what, b.what);
  }
  const other = makeInput(corpus, 8, 0, KINDS);
  assert.notDeepEqual(other.files, makeInput(corpus, 7, 0, KINDS).files, 'another seed, another input');
});

test('the walker finds the pcap record lengths and the IP and TCP length fields where they are', () => {
  // (eth-usec-le.pcap: records at 24, 114, 204, ... as fixtures/malformed/README.md lists them)
  const b = new Uint8Array(readFileSync(fixture('formats/eth-usec-le.pcap')));
  const w = walk(b);
  assert.equal(w.format, 'pcap');
  assert.deepEqual(w.records.slice(0, 3).map((r) => r.at), [24, 114, 204]);
  const caplen = w.fields.find((f) => f.name === 'caplen' && f.off === 24 + 8)!;
  assert.ok(caplen, 'record 1 caplen at 32');
  const ip = packetFields(b, w.records[0]!);
  const total = ip.find((f) => f.name === 'IPv4 total length')!;
  assert.equal(total.off, 24 + 16 + 14 + 2, 'after the record header and Ethernet');
  assert.equal((b[total.off]! << 8) | b[total.off + 1]!, w.records[0]!.caplen - 14);
  const doff = ip.find((f) => f.name === 'TCP data offset')!;
  assert.equal(doff.off, 24 + 16 + 14 + 20 + 12);
  const c = b.slice();
  writeField(c, caplen, -1);
  assert.deepEqual([...c.subarray(32, 36)], [0xff, 0xff, 0xff, 0xff]);
  writeField(c, total, 0);
  assert.deepEqual([...c.subarray(total.off, total.off + 2)], [0, 0]);
  // pcapng: each block's total length, at both ends
  const ng = walk(new Uint8Array(readFileSync(fixture('formats/eth.pcapng'))));
  assert.deepEqual(ng.units.slice(0, 3).map((u) => u[0]), [0, 164, 240]);
  assert.ok(ng.fields.some((f) => f.name === 'block trailing length' && f.off === 240 - 4));
});

test('the issue rule: a place in the input is named and inside it; whole-input counts need none', () => {
  const facts = [{ file: 'a.pcap', size: 100, lines: 1 }, { file: 'b.log', size: 50, lines: 3 }];
  const ok = (i: object) => issueFault({ severity: 'warning', code: 'x', message: 'm', file: 'a.pcap', ...i }, facts);
  assert.equal(ok({ offset: 10 }), undefined);
  assert.equal(ok({ file: 'b.log', line: 4 }), undefined);
  assert.match(ok({})!, /no offset or line/);
  assert.match(ok({ offset: 101 })!, /outside/);
  assert.match(ok({ file: 'b.log', line: 5 })!, /outside/);
  assert.match(ok({ file: 'c.pcap', offset: 0 })!, /names no input/);
  assert.equal(ok({ code: 'cut-packets' }), undefined);
  assert.equal(ok({ code: 'damaged-packets', frame: 3 }), undefined);
  assert.match(ok({ code: 'damaged-packets' })!, /first record/);
  assert.equal(ok({ message: "25 more 'truncated-record' issues not shown" }), undefined);
  assert.equal(ok({ file: 'b.log', message: '30 more unreadable firewall lines skipped (only the first 20 are listed)' }), undefined);
  assert.match(ok({ message: 'more than one thing went wrong' })!, /no offset or line/);
});

test('the pool tells a loop (CPU time), an endless wait (wall time) and a dead child from an answer, and goes on', { timeout: 30_000 }, async () => {
  const stub = fileURLToPath(new URL('./fuzz-child-stub.js', import.meta.url));
  const pool = new Pool(1, 400, 256, stub);
  try {
    const t0 = performance.now();
    const loop = await pool.run(1, ['loop'], '');
    assert.match(loop.faults[0]!, /^hang: no answer after 0\.\d s of CPU/);
    const wait = await pool.run(2, ['wait'], '');
    assert.match(wait.faults[0]!, /^hang: .* 1\.\d s in all \(limit 0\.4 s\)/);
    assert.ok(performance.now() - t0 >= 1600, 'a wait is given three times the limit');
    const die = await pool.run(3, ['die'], '');
    assert.match(die.faults[0]!, /^crash: the child exited \(code 3[^]*dying on purpose/);
    assert.deepEqual((await pool.run(4, ['ok'], '')).faults, [], 'a new child answers after each');
    assert.deepEqual((await pool.run(5, ['odd'], '')).faults, ['stub: odd']);
  } finally {
    pool.close();
  }
});

test('300 inputs of every kind (seed 1): no crash, hang, escaped exception or issue without its place', { timeout: 240_000 }, async () => {
  const r = await runFuzz({ n: 300, seed: 1, keep: undefined, limitMs: 20_000 });
  assert.deepEqual(Object.keys(r.perKind).sort(), [...KINDS].sort());
  assert.deepEqual(r.failures.map((f) => `${f.names.join('+')}: ${f.what}\n${f.faults.join('\n')}`), []);
});
