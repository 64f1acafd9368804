/**
 * The syslog header in front of other vendors' messages: the fast scanner (envelope-scan.ts
 * scanHeader) gives exactly what the regex path gives, on every fixture line of every vendor, on
 * generated logs, and on envelopes made to be awkward; a line with a bad stamp is an error.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { headerBefore, headerBeforeSlow } from '../src/read/syslog-envelope.js';
import { scanHeader } from '../src/read/envelope-scan.js';
import { VENDOR_READERS } from '../src/read/vendors.js';
import { generatePfLog } from '../bench/gen-pf.js';
import { generateSrxLog } from '../bench/gen-srx.js';
import { fixture } from './helpers.js';

function* fixtureLines(dir: string): Generator<string> {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yield* fixtureLines(p);
    else if (/\.log$/.test(f)) yield* readFileSync(p, 'latin1').split('\n');
  }
}

/** Each line some reader takes, with where its message starts. */
function vendorLines(lines: Iterable<string>): { line: string; at: number }[] {
  const out: { line: string; at: number }[] = [];
  for (const line of lines) {
    for (const r of VENDOR_READERS) {
      if (!r.tag.test(line)) continue;
      const hit = r.parse(line, {});
      if (hit && !('error' in hit)) out.push({ line, at: hit.at });
      break;
    }
  }
  return out;
}

test('the fast header scan equals the regex path on every vendor fixture line and on generated logs', () => {
  const lines = vendorLines([...fixtureLines(fixture('logs')), ...generatePfLog(3000).split('\n'), ...generateSrxLog(3000).split('\n')]);
  assert.ok(lines.length > 3000, `${lines.length} vendor lines`);
  let fast = 0;
  for (const { line, at } of lines) {
    assert.deepEqual(headerBefore(line, at), headerBeforeSlow(line, at), line);
    if (scanHeader(line.slice(0, at)) !== undefined) fast++;
  }
  // (generated lines are plain RFC 3164 / 5424: the fast path must take nearly all of them)
  assert.ok(fast / lines.length > 0.9, `fast path took ${fast} of ${lines.length}`);
});

test('awkward headers: the fast scan takes what it can read and leaves the rest to the regex path, with the same result', () => {
  const cases = [
    '<134>Jun 20 11:58:45 fw1 kernel: ',
    '<134>1 2018-06-20T11:58:45.123+02:00 fw1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.40 ',
    'Jun 20 11:58:45 fw1 filterlog[123]: ',
    'Jun 20 2018 11:58:45 fw1 : ',
    'Jun  2 11:58:45 EDT fw1 kernel: ',
    '2018-06-20T11:58:45Z fw1 kernel: ',
    'Wed Jun 20 11:58:46 2018;172.17.70.1; <167>Jun 20 11:58:45 fw1 kernel: ',
    'Jun 20 11:58:45 relay <134>Jun 20 11:58:44 fw1 kernel: ',
    'Jun 20 11:58:45 relay fw1: Jun 20 11:58:44 kernel: ',
    ' Jun 20 11:58:45 fw1 kernel: ',
    '<134>',
  ];
  for (const prefix of cases) assert.deepEqual(headerBefore(prefix, prefix.length), headerBeforeSlow(prefix, prefix.length), prefix);
  assert.equal(scanHeader(cases[0]!)?.host, 'fw1');
  assert.equal(scanHeader(cases[6]!), undefined, 'a relay prefix is the regex path\'s');
  const bad = headerBefore('<134>Jun 20 25:58:45 fw1 kernel: x', 32);
  assert.equal(bad.ok, false);
});
