/**
 * `flows --format csv` as bytes (export/csv-bytes.ts): each row transcoded from the connection's
 * NDJSON line is exactly csvRow of its record, csvCell's rules applied to the record itself:
 * on records made to hold every kind of value and text a cell can (quotes, commas, CR and LF,
 * backslashes, UTF-8, surrogate pairs, lone surrogates, arrays of strings and of objects, empty
 * arrays, null, numbers that are none), and on every fixture's connections.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadDataset } from '../src/flows/dataset.js';
import { FlowLineEncoder } from '../src/export/flow-bytes.js';
import { CsvLineEncoder, CsvTranscoder } from '../src/export/csv-bytes.js';
import { FLOW_FIELDS, flowRecord } from '../src/export/records.js';
import { csvRow } from '../src/export/text-formats.js';
import { fixture } from './helpers.js';

/** A text as the output carries it: its UTF-8 bytes, read back (a lone surrogate is U+FFFD there). */
const written = (s: string): string => Buffer.from(s).toString();

/** The row CsvTranscoder makes of JSON.stringify(rec). */
function transcoded(rec: Record<string, unknown>): string {
  const line = Buffer.from(JSON.stringify(rec));
  const out = new Uint8Array(2 * line.length + 64);
  const end = new CsvTranscoder().row(line, line.length, out, 0);
  return Buffer.from(out.subarray(0, end)).toString();
}

test('cells of every kind: the same as csvRow of the record', () => {
  const texts = ['plain', '', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'back\\slash', 'tab\tand\u0001ctl', 'caf\u00e9', '\u{1f600} smile',
    'lone \ud800 high', 'lone \udc00 low', 'slash/', '"', ',', '\\"', 'x;y'];
  const cases: Record<string, unknown>[] = [];
  for (const s of texts) {
    cases.push({ a: s, b: 1, c: null });
    cases.push({ a: [s, 'z'], b: [{ text: s, n: 1 }], c: [] });
  }
  cases.push({ n: Number.NaN, m: Number.POSITIVE_INFINITY, z: -0, big: 1e21, small: 1e-7, neg: -12.5, t: true, f: false, u: null });
  cases.push({ related: [3, 4], nested: [[1, 2], { a: [] }], empty: [], o: {}, obj: { k: 'v' } });
  cases.push({ one: [{}], arr: [null, true, 2], strs: ['a"b', 'c'] });
  // (objects, then a string item: written as it is, not as JSON)
  cases.push({ mixed: [{ a: 1 }, 'x,y', { b: '"' }], after: [{ a: [1, { b: 'c' }] }, 'plain'], deep: [{ a: ['{', '}'] }, [2]] });
  for (const rec of cases) assert.equal(transcoded(rec), written(csvRow(rec, Object.keys(rec))), JSON.stringify(rec));
});

test('random texts from every class of character: the same as csvRow', () => {
  // (a fixed sequence: the same texts every run)
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const alphabet = ['a', 'Z', '0', ' ', ',', '"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u00e9', '\u20ac', '\ud83d\ude00', '\ud800', '\udfff', '{', '}', '[', ']', ':', ';'];
  const text = (): string => Array.from({ length: rnd(12) }, () => alphabet[rnd(alphabet.length)]!).join('');
  for (let k = 0; k < 2000; k++) {
    const rec = { id: k, s: text(), list: Array.from({ length: rnd(3) }, text), events: Array.from({ length: rnd(3) }, () => ({ text: text(), reason: rnd(2) ? text() : null })) };
    assert.equal(transcoded(rec), written(csvRow(rec, Object.keys(rec))), JSON.stringify(rec));
  }
});

test('every fixture: each connection\'s row is csvRow of its flow record', async () => {
  const sets = [['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'], ['text/seed-inside.txt', 'text/seed-outside.txt', 'logs/seed-asa.log'],
    readdirSync(fixture('tcp')).filter((f) => f.endsWith('.pcap')).map((f) => `tcp/${f}`),
    ...readdirSync(fixture('logs')).filter((f) => f.endsWith('.log')).map((f) => [`logs/${f}`]),
    ...readdirSync(fixture('logs/siem')).filter((f) => /\.(ndjson|jsonl)$/.test(f)).map((f) => [`logs/siem/${f}`])];
  let rows = 0;
  for (const set of sets) {
    const ds = await loadDataset(set.map(fixture), { year: 2018 });
    const enc = new CsvLineEncoder(new FlowLineEncoder(ds));
    let buffer = new Uint8Array(1 << 12), pos = 0;
    const out = {
      get buffer() { return buffer; },
      reserve(n: number) { if (pos + n > buffer.length) { const b = new Uint8Array(2 * (pos + n)); b.set(buffer.subarray(0, pos)); buffer = b; } return pos; },
      commit(end: number) { pos = end; },
    };
    enc.prepare(0, ds.conns.count);
    for (let i = 0; i < ds.conns.count; i++) enc.write(out, i);
    const want = Array.from({ length: ds.conns.count }, (_, i) => csvRow(flowRecord(ds, i) as unknown as Record<string, unknown>, FLOW_FIELDS) + '\n');
    assert.equal(Buffer.from(buffer.subarray(0, pos)).toString(), want.join(''), set.join(' '));
    rows += ds.conns.count;
  }
  assert.ok(rows > 100, `${rows} rows compared`);
});
