/**
 * SIEM JSON-lines exports (fixtures/logs/siem): each record unwraps to exactly the raw firewall
 * line it carries, the sniffers tell such exports from plain logs, and no input makes them throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fixture } from './helpers.js';
import { FIREWALL_TAG, SIEM_FIELDS, looksLikeCutSiemRecord, looksLikeSiemJson, siemLine } from '../src/read/siem-json.js';
import { sniffKind, sniffLogFormat } from '../src/read/detect.js';
import { parseSyslogText } from '../src/read/syslog.js';

const fileLines = (rel: string): string[] => readFileSync(fixture(rel), 'utf8').split('\n').filter((l) => l !== '');
const seed = fileLines('logs/seed-asa.log');
const msgs = fileLines('logs/messages.log');
/** 1-based line numbers of a log, as the fixtures' README gives them */
const pick = (log: string[], ...nos: number[]): string[] => nos.map((n) => log[n - 1]!);

const SIEM_FIXTURES: Record<string, Array<string | null>> = {
  // a _bulk action line (no raw field) before each document
  'elastic-bulk.ndjson': pick(seed, 1, 2, 3, 5, 6).flatMap((l) => [null, l]),
  'elastic-hits.ndjson': pick(seed, 4, 5, 6, 7),
  'graylog.ndjson': pick(msgs, 1, 2, 3, 9, 12, 14),
  'loki-logcli.jsonl': pick(msgs, 4, 5, 6, 10),
  // the third record is not valid JSON
  'malformed.ndjson': [msgs[10]!, msgs[11]!, null, msgs[14]!, msgs[16]!],
};

test('each fixture record unwraps to exactly the firewall line it carries', () => {
  for (const [f, want] of Object.entries(SIEM_FIXTURES)) {
    const got = fileLines(`logs/siem/${f}`).map((l) => siemLine(l));
    assert.deepEqual(got, want, f);
  }
  // every fixture in the directory is covered
  const present = readdirSync(fixture('logs/siem')).filter((f) => /\.(nd)?jsonl?$/.test(f)).sort();
  assert.deepEqual(present, Object.keys(SIEM_FIXTURES).sort());
});

test('unwrapped lines read as the plain log does', () => {
  for (const [f, want] of Object.entries(SIEM_FIXTURES)) {
    const unwrapped = fileLines(`logs/siem/${f}`).map((l) => siemLine(l)).filter((l): l is string => l !== null);
    const a = parseSyslogText(unwrapped.join('\n'), f, { year: 2018 });
    const b = parseSyslogText(want.filter((l): l is string => l !== null).join('\n'), f, { year: 2018 });
    assert.equal(a.events.length, unwrapped.length, f);
    assert.deepEqual(a.events, b.events, f);
  }
});

test('sniffLogFormat: SIEM exports by content, plain logs and other inputs are lines', () => {
  for (const f of Object.keys(SIEM_FIXTURES)) {
    const b = readFileSync(fixture(`logs/siem/${f}`));
    assert.equal(sniffLogFormat(b), 'siem-json', f);
    assert.equal(sniffKind(b), 'syslog', f);
  }
  for (const f of ['seed-asa.log', 'messages.log', 'envelopes.log', 'malformed.log', 'yearless.log']) {
    assert.equal(sniffLogFormat(readFileSync(fixture(`logs/${f}`))), 'lines', f);
  }
  for (const f of ['text/seed-inside.txt', 'text/tcpdump-real.txt', 'malformed/garbage.txt', 'formats/eth.pcapng', 'formats/eth-usec-le.pcap', 'formats/eth.pcap.gz']) {
    assert.equal(sniffLogFormat(readFileSync(fixture(f))), 'lines', f);
  }
  assert.equal(sniffLogFormat(new Uint8Array(0)), 'lines');
  assert.equal(sniffLogFormat(Buffer.from('\n\n  \n')), 'lines');
  // JSON-lines application logs without firewall lines are no firewall log
  assert.equal(sniffLogFormat(Buffer.from('{"level":"info","message":"started"}\n{"level":"warn","message":"slow"}\n')), 'lines');
  // a byte order mark and CRLF line ends
  assert.equal(sniffLogFormat(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${JSON.stringify({ message: seed[0] })}\r\n`)])), 'siem-json');
});

test('sniffLogFormat: a sample cut short (stdin peek, a record longer than the window)', () => {
  for (const f of Object.keys(SIEM_FIXTURES)) {
    const b = readFileSync(fixture(`logs/siem/${f}`));
    const firstNl = b.indexOf(0x0a);
    const tagAt = b.indexOf('%ASA-');
    // whole lines then a cut one holding a tag; the first line cut after its tag; the last line cut
    const cuts = [b.indexOf('%ASA-', firstNl) + 10, b.length - 7];
    if (tagAt < firstNl) cuts.push(tagAt + 10);
    for (const n of cuts) {
      const part = b.subarray(0, n);
      assert.equal(sniffLogFormat(part), 'siem-json', `${f} cut at ${n}`);
      assert.equal(sniffKind(part), 'syslog', `${f} cut at ${n}`);
    }
  }
  // cut before any tag: whole records without one and the start of the next tell nothing
  const bulk = readFileSync(fixture('logs/siem/elastic-bulk.ndjson'));
  assert.equal(sniffLogFormat(bulk.subarray(0, bulk.indexOf(0x0a) + 40)), 'lines');
  // a cut piece in the middle of a longer sample is a malformed line, not a cut one
  const graylog = readFileSync(fixture('logs/siem/graylog.ndjson'), 'utf8').split('\n');
  assert.equal(looksLikeSiemJson([graylog[0]!.slice(0, 150), '{"a":1}', '{"a":2}']), false);
  assert.equal(looksLikeSiemJson(['{"a":1}', '{"a":2}', graylog[0]!.slice(0, 150)]), false);
  assert.equal(looksLikeSiemJson(['{"a":1}', '{"a":2}', graylog[0]!.slice(0, 150)], FIREWALL_TAG, true), true);
  // a lone complete record without a final newline
  assert.equal(sniffLogFormat(Buffer.from(JSON.stringify({ line: msgs[0] }))), 'siem-json');
  // a big record cut before its raw field: no verdict for SIEM
  assert.equal(sniffLogFormat(Buffer.from(`{"@timestamp":"2018-06-20T10:00:00Z","tags":["${'x'.repeat(5000)}`)), 'lines');
  assert.equal(looksLikeCutSiemRecord(`{"event":{"original":"<166>Jun 20 2018 10:00:00 fw01 : %ASA-6-3020`), true);
  assert.equal(looksLikeCutSiemRecord('<166>Jun 20 2018 10:00:00 fw01 : %ASA-6-302013: {"message":"'), false);
  assert.equal(looksLikeCutSiemRecord('{"tags":["%ASA-6-302013"],"message":"Built inbound'), false); // the tag is not in a raw-line field
  assert.equal(looksLikeCutSiemRecord('{"line":"%FOO-1-2: x', /%FOO-/g), true);
});

test('sniffKind: unchanged for plain inputs; JSON with escaped tags is syslog; siem-json always implies syslog', () => {
  // a tag written with a JSON escape is not visible in the raw text
  const escaped = Buffer.from(`${JSON.stringify({ message: seed[1] }).replace('%', '\\u0025')}\n`);
  assert.ok(!escaped.toString().includes('%ASA-'));
  assert.equal(sniffLogFormat(escaped), 'siem-json');
  assert.equal(sniffKind(escaped), 'syslog');
  assert.equal(sniffKind(Buffer.from('{"level":"info","message":"12:00:00.000001 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [R]"}\n')), 'text-capture');
  const dirs = ['logs', 'logs/siem', 'text', 'malformed', 'formats'];
  for (const d of dirs) {
    for (const f of readdirSync(fixture(d))) {
      if (!/\./.test(f) && f !== 'gzip-no-ext') continue;
      let b: Buffer;
      try {
        b = readFileSync(fixture(`${d}/${f}`));
      } catch {
        continue; // a directory
      }
      for (const n of [b.length, 4096, 300, 64]) {
        const part = b.subarray(0, n);
        if (sniffLogFormat(part) === 'siem-json') assert.equal(sniffKind(part), 'syslog', `${d}/${f} [0, ${n})`);
      }
    }
  }
});

test('looksLikeSiemJson: JSON objects first and mostly, at least one carrying a firewall line', () => {
  const rec = (o: object): string => JSON.stringify(o);
  const asa = rec({ message: seed[0] });
  assert.equal(looksLikeSiemJson([asa]), true);
  assert.equal(looksLikeSiemJson(['', '   ', asa, '']), true);
  assert.equal(looksLikeSiemJson([]), false);
  assert.equal(looksLikeSiemJson(['', ' ']), false);
  assert.equal(looksLikeSiemJson(seed), false); // the plain log
  assert.equal(looksLikeSiemJson([seed[0]!, asa]), false); // the first line is no object
  assert.equal(looksLikeSiemJson([rec({ message: 'hello' }), rec({ line: 'world' })]), false); // no firewall line
  assert.equal(looksLikeSiemJson([rec({ index: { _index: 'x' } }), asa, '{"message": "cut', asa]), true); // a bad line among good ones
  assert.equal(looksLikeSiemJson([asa, 'junk', 'more junk']), false); // mostly not JSON
  assert.equal(looksLikeSiemJson(['[1,2]', asa]), false); // a JSON array is no record
  assert.equal(looksLikeSiemJson([rec({ message: { nested: seed[0] } })]), false); // tag only in a field that is not read
  // other vendors through the tag parameter, global regexps included
  const other = rec({ message: '<134>Jun 20 2018 10:00:00 fw02 %FOO-5-1234: hello' });
  assert.equal(looksLikeSiemJson([other]), false);
  const foo = /%(?:ASA|FOO)-/g;
  for (let i = 0; i < 3; i++) assert.equal(looksLikeSiemJson([other, other], foo), true);
  assert.ok(FIREWALL_TAG.test('%FTD-6-302014:') && FIREWALL_TAG.test('%PIX-6-302014:') && !FIREWALL_TAG.test('%FOO-6-1:'));
});

test('siemLine: field preference, nested and dotted names, wrappers', () => {
  const raw = seed[2]!; // carries %ASA-
  const body = 'Deny TCP (no connection) from 172.17.77.250/443 to 203.0.113.147/43918 flags RST  on interface INSIDE';
  const s = (o: unknown): string | null => siemLine(JSON.stringify(o));
  assert.deepEqual(SIEM_FIELDS, ['event.original', 'log.original', 'full_message', 'message', 'line']);
  // nested and dotted
  assert.equal(s({ event: { original: raw } }), raw);
  assert.equal(s({ 'event.original': raw }), raw);
  assert.equal(s({ log: { original: raw } }), raw);
  assert.equal(s({ 'log.original': raw }), raw);
  assert.equal(s({ message: raw }), raw);
  assert.equal(s({ line: raw, timestamp: 1529492325000000000 }), raw);
  assert.equal(s({ full_message: raw, message: body }), raw);
  // preference when all carry the tag: event.original, log.original, full_message, message, line
  const v = (tag: string): string => `${tag} %ASA-6-302014: x`;
  assert.equal(s({ line: v('l'), message: v('m'), log: { original: v('lo') }, event: { original: v('eo') } }), v('eo'));
  assert.equal(s({ line: v('l'), message: v('m'), 'log.original': v('lo') }), v('lo'));
  assert.equal(s({ line: v('l'), message: v('m') }), v('m'));
  // a rewritten message loses to an original; an original without a tag loses to a tagged message
  assert.equal(s({ message: body, event: { original: raw } }), raw);
  assert.equal(s({ message: raw, event: { original: 'something else' } }), raw);
  assert.equal(s({ line: raw, message: body }), raw);
  // no tag anywhere: the first present field, in preference order
  assert.equal(s({ message: 'b', event: { original: 'a' } }), 'a');
  assert.equal(s({ message: 'plain app log' }), 'plain app log');
  // empty and white-space-only values count as missing
  assert.equal(s({ event: { original: '' }, message: body }), body);
  assert.equal(s({ event: { original: '  \t' } }), null);
  // a partly dotted path and a dotted key beside a nested object
  assert.equal(s({ event: { 'original': raw }, 'event.original': 7 }), raw);
  assert.equal(s({ event: { code: '106015' }, 'event.original': raw }), raw);
  // Elasticsearch / OpenSearch hits, Graylog's API search result entries
  assert.equal(s({ _index: 'logs', _id: '1', _score: 1.2, _source: { event: { original: raw }, message: body } }), raw);
  assert.equal(s({ _index: 'logs', _source: { 'log.original': raw } }), raw);
  assert.equal(s({ index: 'graylog_0', message: { _id: 'x', message: raw, source: 'fw01' }, highlight_ranges: {} }), raw);
  assert.equal(s({ index: 'graylog_0', message: { message: body, full_message: raw } }), raw);
  // records without a raw field
  assert.equal(s({ index: { _index: 'filebeat', _id: '1' } }), null);
  assert.equal(s({ create: {} }), null);
  assert.equal(s({}), null);
  assert.equal(s({ msg: raw, log: raw, original: raw, Message: raw }), null);
  // nothing is stripped: control characters and line ends stay for the caller
  assert.equal(s({ message: `\u0000${raw}\t\r\n` }), `\u0000${raw}\t\r\n`);
  // white space and a byte order mark around the object, CRLF line end
  assert.equal(siemLine(`  ${JSON.stringify({ message: raw })}\r`), raw);
  assert.equal(siemLine(`\uFEFF${JSON.stringify({ message: raw })}`), raw);
});

test('siemLine and looksLikeSiemJson: odd inputs never throw', () => {
  const raw = msgs[1]!;
  const odd: unknown[] = [
    '', ' ', '{', '}', '{}', '[]', '[{"message":"%ASA-1-1: x"}]', '42', '-1e999', 'null', 'true', '"%ASA-6-302013: x"',
    '{"message":', '{"message":"unterminated', '{"message":"%ASA-6-1: x"', '{"message":"x"}}', '{"message":"x"} trailing',
    '{"message":123}', '{"message":null}', '{"message":true}', '{"message":["%ASA-6-302013: a"]}', '{"message":{"nested":{"deep":"%ASA-"}}}',
    '{"event":"%ASA-6-1: x"}', '{"event":null,"log":[1,2],"line":{}}', '{"event":{"original":{"original":"x"}}}',
    '{"_source":"%ASA-6-1: x"}', '{"_source":[{"message":"%ASA-6-1: x"}]}', '{"_source":null,"message":"m"}',
    '{"__proto__":{"message":"%ASA-6-1: p"}}', '{"constructor":{"original":"c"},"toString":"t","hasOwnProperty":"h"}',
    '{"message":"\\u0025ASA-6-302013: escaped tag"}', '{"message":"\\ud83d\\ude00 \\ud800 lone surrogate %ASA-6-1: x"}',
    '{"message":"\\u0000\\u001f\\u2028\\u202e"}', '{"message":"\\x41"}', '{"message":"a\nb"}', "{'message':'single quotes'}",
    '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}', '{"a":' + '{"b":'.repeat(50_000) + '1' + '}'.repeat(50_000) + '}',
    '\uFEFF', '\uFEFF\uFEFF{"message":"m"}', '\u0000{}', '{"message":"' + 'x'.repeat(8 << 20) + ' %ASA-6-302013: y"}',
    undefined, null, 42, {}, [], Symbol('s'),
  ];
  for (const o of odd) {
    const l = o as string;
    const r = siemLine(l);
    assert.ok(r === null || typeof r === 'string');
    assert.equal(typeof looksLikeSiemJson([l]), 'boolean');
    assert.equal(typeof looksLikeSiemJson([JSON.stringify({ message: raw }), l]), 'boolean');
    assert.equal(typeof looksLikeCutSiemRecord(l), 'boolean');
    assert.ok(['lines', 'siem-json'].includes(sniffLogFormat(Buffer.from(typeof l === 'string' ? l : String(typeof l)))));
  }
  assert.equal(siemLine('{"message":"\\u0025ASA-6-302013: escaped tag"}'), '%ASA-6-302013: escaped tag');
  assert.equal(siemLine('{"message":123, "line":"l"}'), 'l');
  // used as a callback: the index or array passed as `tag` falls back to FIREWALL_TAG
  const recs = [JSON.stringify({ message: 'rewritten', event: { original: raw } }), JSON.stringify({ line: raw })];
  assert.deepEqual(recs.map(siemLine as unknown as (l: string, i: number) => string | null), [raw, raw]);
  assert.equal(looksLikeSiemJson(recs, 7 as unknown as RegExp), true);
  assert.equal(siemLine('{"message":["%ASA-6-302013: a"]}'), null);
  assert.equal(siemLine('{"__proto__":{"message":"%ASA-6-1: p"}}'), null);
  assert.equal(siemLine('\uFEFF\uFEFF{"message":"m"}'), null);
  assert.equal(siemLine('{"message":"x"} trailing'), null);
  assert.equal(looksLikeSiemJson(['{"message":"%ASA-6-1: x"}', null as unknown as string, 5 as unknown as string]), true);
  assert.equal(looksLikeSiemJson(null as unknown as string[]), false);
  // random mutations of a real record
  let seedN = 12345;
  const rnd = (n: number): number => ((seedN = (seedN * 1103515245 + 12345) >>> 0) % n);
  const base = readFileSync(fixture('logs/siem/elastic-bulk.ndjson'), 'utf8').split('\n')[1]!;
  for (let i = 0; i < 2000; i++) {
    const a = rnd(base.length);
    const cut = base.slice(0, a) + String.fromCharCode(rnd(128)) + base.slice(a + 1 + rnd(3));
    const r = siemLine(cut);
    assert.ok(r === null || typeof r === 'string');
  }
});

test('siemLine is cheap on lines that are no JSON object', () => {
  const line = seed[0]!;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 200_000; i++) if (siemLine(line) !== null) assert.fail();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < 1000, `${ms} ms for 200k plain lines`);
});
