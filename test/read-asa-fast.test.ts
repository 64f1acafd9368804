/**
 * The hand-written fast paths (envelope-scan.ts, asa-fast.ts) against the regex paths they stand
 * in for: every line of every log fixture, and thousands of deterministic mutations of them, must
 * read the same through both (the fast path may only give up, never differ).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { fixture } from './helpers.js';
import { parseAsaBody, parseAsaBodySlow } from '../src/read/asa.js';
import { scanAsaBody } from '../src/read/asa-fast.js';
import { addrSeg, sc } from '../src/read/asa-scan.js';
import { scanEnvelope } from '../src/read/envelope-scan.js';
import { parseEnvelope, parseEnvelopeSlow } from '../src/read/syslog-envelope.js';
import { VENDOR_READERS } from '../src/read/vendors.js';
import { mulberry32 } from '../bench/gen.js';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/**
 * Every line of every fixture under fixtures/logs/ (SIEM exports and READMEs too: any line is a
 * test of both paths) and of the demo's firewall log; `logs`: the syslog ones only (*.log).
 */
function fixtureLines(logs = false): string[] {
  const lines: string[] = [];
  for (const f of [...files(fixture('logs')), fixture('demo/asa.log')]) {
    if (logs && !f.endsWith('.log')) continue;
    for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim() !== '') lines.push(l.endsWith('\r') ? l.slice(0, -1) : l);
  }
  return lines;
}

/** Lines as the reader hands them over: slices of one latin1 block (log-lines.ts). */
function asRead(lines: string[]): string[] {
  const block = Buffer.from(lines.join('\n'), 'latin1').toString('latin1');
  const out: string[] = [];
  let start = 0;
  for (const l of lines) {
    out.push(block.slice(start, start + l.length));
    start += l.length + 1;
  }
  return out;
}

/** Both paths on one line: envelope, then (if it has one) body. Returns which paths the fast one took. */
function same(line: string): { env: boolean; body: boolean } {
  const slow = parseEnvelopeSlow(line);
  const scanned = scanEnvelope(line);
  if (scanned !== undefined) assert.deepStrictEqual(scanned, slow, `envelope of ${JSON.stringify(line)}`);
  assert.deepStrictEqual(parseEnvelope(line), slow);
  if (slow === null || !slow.ok) return { env: scanned !== undefined, body: false };
  const { msgid, body } = slow.env;
  const want = parseAsaBodySlow(msgid, body);
  const fast = scanAsaBody(msgid, body);
  if (fast !== undefined) assert.deepStrictEqual(fast, want, `body of ${JSON.stringify(line)}`);
  assert.deepStrictEqual(parseAsaBody(msgid, body), want);
  return { env: scanned !== undefined, body: fast !== undefined };
}

const COMMON = new Set([302013, 302014, 302015, 302016, 106015, 106023, 106100, 609001, 609002, 305011, 305012]);

test('every fixture line reads the same through the fast paths and the regex fallbacks', () => {
  const lines = fixtureLines();
  assert.ok(lines.length > 1100);
  for (const line of [...lines, ...asRead(lines)]) same(line);
  // (other vendors' lines are no ASA envelopes: they count for neither path)
  const logs = fixtureLines(true).filter((l) => !VENDOR_READERS.some((r) => r.tag.test(l)));
  let env = 0;
  let common = 0;
  let body = 0;
  for (const line of asRead(logs)) {
    const r = same(line);
    if (r.env) env++;
    const e = parseEnvelopeSlow(line);
    if (e?.ok && COMMON.has(e.env.msgid) && !('error' in parseAsaBodySlow(e.env.msgid, e.env.body))) {
      common++;
      if (r.body) body++;
    }
  }
  // the fast paths do take the lines they are for (a fast path that always gave up would pass the rest)
  assert.ok(env / logs.length > 0.98, `fast envelope for ${env} of ${logs.length} lines`);
  assert.ok(body / common > 0.97, `fast body for ${body} of ${common} common messages`);
});


/** Characters that make parsers stumble: separators, whitespace of other kinds, control, non-ASCII. */
const ODD = [' ', '  ', ':', '/', '(', ')', '[', ']', '"', ',', '-', '.', '0', '9', 'a', 'F', 'x', '\t', '\x00', '\x1b', '\u00a0', '\u2028', '\u0130', '\u212a', 'é', '%', '<', '>', ';', '0x', 'from ', ' on interface '];

function mutate(line: string, rnd: () => number): string {
  const i = Math.floor(rnd() * (line.length + 1));
  const pick = ODD[Math.floor(rnd() * ODD.length)]!;
  switch (Math.floor(rnd() * 9)) {
    case 0: return line.slice(0, i) + pick + line.slice(i); // insert
    case 1: return line.slice(0, i) + line.slice(i + 1 + Math.floor(rnd() * 3)); // delete
    case 2: return line.slice(0, i) + pick + line.slice(i + 1); // replace
    case 3: return line.slice(0, i); // truncate
    case 4: return line.slice(0, i) + line.slice(i).toUpperCase(); // case
    case 5: return line.slice(0, i) + line.slice(i).toLowerCase();
    case 6: return line.replace(/ /g, (s) => (rnd() < 0.1 ? '  ' : s)); // doubled spaces
    case 7: return line.replace(/\d/g, (d) => (rnd() < 0.05 ? String(9 - Number(d)) : d)); // other numbers
    default: return line + pick; // trailing
  }
}

test('mutated fixture lines read the same through both paths (the fast path may only give up)', () => {
  const rnd = mulberry32(20180620);
  const lines = fixtureLines();
  let n = 0;
  for (let round = 0; round < 6; round++) {
    for (const line of lines) {
      let m = mutate(line, rnd);
      if (rnd() < 0.3) m = mutate(m, rnd);
      same(m);
      n++;
    }
  }
  assert.ok(n > 6000);
});

test('addresses: the hand check agrees with node:net isIP', () => {
  const rnd = mulberry32(7);
  const parts = ['0', '00', '01', '1', '9', '10', '99', '100', '199', '200', '249', '250', '255', '256', '300', '1000', '', 'a', 'ff'];
  const cases = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '::1', '2001:db8::1',
    '2001:DB8::A', '::ffff:192.0.2.1', 'fe80::1', ':::', '1:2:3:4:5:6:7:8:9', 'abc', 'deadbeef', '1.2.3.4:5'];
  for (let k = 0; k < 3000; k++) {
    cases.push(Array.from({ length: 3 + Math.floor(rnd() * 3) }, () => parts[Math.floor(rnd() * parts.length)]).join('.'));
  }
  for (const a of cases) {
    sc.s = `x${a}/`;
    const got = addrSeg(1, 1 + a.length);
    const valid = a !== '' && /^[0-9A-Fa-f.:]+$/.test(a) && isIP(a) !== 0;
    assert.equal(got, valid ? a.toLowerCase() : undefined, a);
  }
  sc.s = '';
});
