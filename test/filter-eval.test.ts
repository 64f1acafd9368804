/**
 * The filter language over a small table (test/filter-target.ts): each expression with the ids
 * it must select. Expected ids are worked out by hand from the rows' comments and values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, filterIndices, formatFilterError } from '../src/filter/index.js';
import { fromRows, ROWS } from './filter-target.js';

const T = fromRows(ROWS);
const ALL = [1, 2, 3, 4, 5, 6, 7, 8];

function ids(expr: string): number[] {
  const r = filterIndices(expr, T);
  if (!(r instanceof Uint32Array)) assert.fail(`${expr}: ${formatFilterError(r)}`);
  return Array.from(r, (i) => i + 1);
}

const CASES: [string, number[]][] = [
  // addresses
  ['ip.addr == 172.17.77.250', [1, 2, 4]],
  ['ip.src == 203.0.113.147', [1]],
  ['ip.dst == 203.0.113.147', [7]],
  ['ip.addr eq 203.0.113.147', [1, 7]],
  ['ip.addr == 10.0.0.0/8', [5, 8]], // not 6: ::ffff:10.1.2.3 is an IPv6 address
  ['ip.addr == 10.0.0.0/30', [8]], // 10.0.0.2 only; host bits beyond /30 ignored
  ['ip.addr == 2001:db8::/32', [3, 6]],
  ['ip.addr == 2001:db8:0:0:0:0:0:10', [3]],
  ['ipv6.addr', [3, 6]],
  ['ipv6.src == ::ffff:10.1.2.3', [6]],
  ['ipv6.addr == 10.0.0.0/8', []],
  ['ip.addr != 172.17.77.250', [3, 5, 6, 7, 8]], // Wireshark 4: !(ip.addr == X)
  ['ip.addr !== 172.17.77.250', ALL], // any end differs: every row has another end
  ['ip.addr === 172.17.77.250', []],
  ['ip.addr in {192.0.2.0/24 198.51.100.7}', [2, 4]],
  ['ip.addr in {10.0.0.1..10.0.0.9}', [8]],
  ['ip.addr > 200.0.0.0', [1, 7]],
  ['ip.addr contains "203.0.113.1"', [1, 7]],
  // ports
  ['tcp.port == 443', [1, 2, 3]],
  ['tcp.dstport in {22, 80}', [4, 5, 6]],
  ['tcp.port in {1..1024}', [1, 2, 3, 4, 5, 6, 7]],
  ['tcp.srcport >= 40000', [1, 3, 4, 8]],
  ['tcp.dstport == 0', [8]],
  ['tcp.port not in {443 80}', [4, 7, 8]],
  // flags
  ['tcp.flags.reset', [1, 3, 4, 8]],
  ['tcp.flags.reset.orig', [1, 8]],
  ['tcp.flags.reset.resp', [1, 3, 4]],
  ['tcp.flags.urg', [7]],
  ['tcp.flags.syn == 0', [6]],
  ['tcp.flags.fin.resp == true', [1, 2]],
  ['tcp.flags.reset != 1', [2, 5, 6, 7]],
  // verdict fields
  ['teardown == fin-then-rst', [1, 8]],
  ['teardown != graceful', [1, 3, 4, 5, 6, 7, 8]],
  ['teardown in {rejected unanswered}', [4, 5]],
  ['teardown matches "^(half|open)"', [6, 7]],
  ['anomaly == late-rst', [1]],
  ['anomaly', [1, 3, 6, 7, 8]],
  ['!anomaly', [2, 4, 5]],
  ['anomaly === rst-after-fin', [8]],
  ['anomaly != late-rst', [2, 3, 4, 5, 6, 7, 8]],
  ['anomaly contains "rst"', [1, 3, 8]],
  ['anomaly in {midstream zero-window}', [6, 7]],
  ['closed_by == resp', [3, 4]],
  ['conn_state == RSTO', [1, 8]],
  ['conn_state in {S0, REJ}', [4, 5]],
  // history (case matters for contains: upper = originator)
  ['history contains "F"', [1, 2, 7, 8]],
  ['history contains f', [1, 2]],
  ['history matches "^sh"', [1, 2, 3, 7, 8]],
  ['history matches "(?-i)^sh"', []],
  ['history ~ "r$"', [1, 3, 4, 8]],
  ['history == "S"', [5]],
  // numbers
  ['duration > 3', [1, 2, 6]],
  ['duration <= 0.8', [3, 4, 8]],
  ['packets in {2..9}', [3, 4, 5, 8]],
  ['bytes == 0', [4, 5, 8]],
  ['bytes ge 1e4', [6]],
  ['id <= 2', [1, 2]],
  // vantage, firewall, tls
  ['vantage == inside', [1, 2, 3, 5]],
  ['vantage === outside', [4, 6, 7]],
  ['vantage', [1, 2, 3, 4, 5, 6, 7]],
  ['fw.msgid == 106015', [1]],
  ['fw.msgid', [1, 2, 4, 7]],
  ['fw.msgid != 106015', [2, 3, 4, 5, 6, 7, 8]],
  ['fw.reason contains "FIN"', [1, 2]],
  ['fw.reason matches "timeout"', [7]],
  ['fw.reason == "TCP FINs"', [1, 2]],
  ['tls', [1, 2, 3, 7]],
  // precedence: not > and > or
  ['tls and not anomaly', [2]],
  ['tls or anomaly and tcp.port == 22', [1, 2, 3, 7]],
  ['(tls or anomaly) and tcp.port == 22', []],
  ['not tls and tcp.flags.reset', [4, 8]],
  ['not (tls and tcp.flags.reset)', [2, 4, 5, 6, 7, 8]],
  ['tcp.port == 22 or tcp.port == 80 and tls', [4]],
  ['tcp.port == 22 || tcp.port == 80 && !tls', [4, 5, 6]],
  // bare words
  ['late-rst', [1]],
  ['RSTO', [1, 8]],
  ['rsto', [1, 8]],
  ['fin-then-rst', [1, 8]],
  ['inside', [1, 2, 3, 5]],
  ['203.0.113', [1, 7]],
  ['10.1', [5]], // whole labels: not 10.100.0.1
  ['10.10', [8]], // no 10.10.x.x: any text prefix (typing in progress)
  ['10.0.0.0/8', [5, 8]],
  ['172.17.77.250', [1, 2, 4]],
  ['2001:db8', [3, 6]],
  ['late-rst and tcp.port == 443', [1]],
  // empty filter
  ['', ALL],
  ['   ', ALL],
];

for (const [expr, want] of CASES) {
  test(`filter: ${expr === '' ? '(empty)' : expr}`, () => {
    assert.deepEqual(ids(expr), want);
  });
}

test('structured filters are not fuzzy, bare words that name nothing are', () => {
  const s = compileFilter('late-rst or ip.addr == 10.0.0.0/8', T);
  assert.ok(s.ok);
  assert.equal(s.fuzzy, false);
  const f = compileFilter('gracefull', T); // a typo of a teardown class: no exact value, so fuzzy
  assert.ok(f.ok);
  assert.equal(f.fuzzy, true);
  assert.deepEqual(ids('gracefull'), [2]);
  assert.deepEqual(ids('half-closd'), [7]);
  assert.deepEqual(ids('zzqqxxjj'), []);
  const g = compileFilter('tls and gracefull', T);
  assert.ok(g.ok && g.fuzzy);
});

test('a compiled test agrees with filterIndices and can be called in any order', () => {
  const c = compileFilter('tcp.port == 443 and not late-rst', T);
  assert.ok(c.ok);
  const picked = [7, 0, 3, 2, 1].filter((i) => c.test(i)).map((i) => i + 1);
  assert.deepEqual(picked, [3, 2]);
});

test('an IPv6 table with no IPv4 rows never matches an IPv4 block, and an empty table works', () => {
  const v6 = fromRows(ROWS.filter((r) => r.orig.includes(':')));
  const r = filterIndices('ip.addr == 0.0.0.0/0', v6);
  assert.ok(r instanceof Uint32Array);
  assert.equal(r.length, 0);
  const all6 = filterIndices('ip.addr == ::/0', v6);
  assert.ok(all6 instanceof Uint32Array);
  assert.equal(all6.length, 2);
  const empty = filterIndices('late-rst or somethingfuzzy', fromRows([]));
  assert.ok(empty instanceof Uint32Array);
  assert.equal(empty.length, 0);
});

test('vantage names come from the target', () => {
  const t = fromRows(ROWS, ['fw-inside', 'fw-outside']);
  const r = compileFilter('vantage == inside', t);
  assert.ok(!r.ok);
  assert.equal(r.error.hint, 'did you mean fw-inside?');
});
