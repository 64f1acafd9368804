/**
 * The filter parser: AST shape (precedence of not > and > or, operator spellings, sets) and
 * error messages with their positions, including the errors the compiler finds in values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, completeField, completeValue, formatFilterError, parseFilter, type Expr } from '../src/filter/index.js';
import { fromRows, ROWS } from './filter-target.js';

const T = fromRows(ROWS);

function ast(src: string): Expr {
  const r = parseFilter(src);
  if (!r.ok) assert.fail(`${src}: ${formatFilterError(r.error)}`);
  assert.ok(r.ast !== null);
  return r.ast;
}

/** A compact rendering of the tree: fields by name, and/or/not as prefix forms. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `${e.kind}(${shape(e.left)}, ${shape(e.right)})`;
    case 'not':
      return `not(${shape(e.expr)})`;
    case 'field':
      return e.field;
    case 'compare':
      return `${e.field} ${e.op} ${e.value.text}`;
    case 'in':
      return `${e.field} in {${e.items.map((i) => (i.hi ? `${i.lo.text}..${i.hi.text}` : i.lo.text)).join(' ')}}`;
    case 'bare':
      return `?${e.value.text}`;
  }
}

/** The formatted error of `src` (parse or compile), or a failure if it compiled. */
function err(src: string): string {
  const r = compileFilter(src, T);
  if (r.ok) assert.fail(`${src}: expected an error`);
  return formatFilterError(r.error);
}

test('precedence: not binds tighter than and, and tighter than or; both left-associative', () => {
  assert.equal(shape(ast('tls or anomaly and not tcp.flags.reset')), 'or(tls, and(anomaly, not(tcp.flags.reset)))');
  assert.equal(shape(ast('tls and anomaly or tcp.flags.reset')), 'or(and(tls, anomaly), tcp.flags.reset)');
  assert.equal(shape(ast('not tls and anomaly')), 'and(not(tls), anomaly)');
  assert.equal(shape(ast('tls or anomaly or tcp.flags.syn')), 'or(or(tls, anomaly), tcp.flags.syn)');
  assert.equal(shape(ast('tls && (anomaly || !tcp.flags.syn)')), 'and(tls, or(anomaly, not(tcp.flags.syn)))');
  assert.equal(shape(ast('! ! tls')), 'not(not(tls))');
  assert.equal(shape(ast('TLS AND Anomaly')), 'and(tls, anomaly)');
});

test('operator spellings normalize', () => {
  assert.equal(shape(ast('tcp.port eq 443')), 'tcp.port == 443');
  assert.equal(shape(ast('ip.addr ne 10.0.0.1')), 'ip.addr != 10.0.0.1');
  assert.equal(shape(ast('duration ge 1.5')), 'duration >= 1.5');
  assert.equal(shape(ast('history ~ "^S"')), 'history matches ^S');
  assert.equal(shape(ast('ip.addr any_ne 10.0.0.1')), 'ip.addr !== 10.0.0.1');
  assert.equal(shape(ast('ip.addr===10.0.0.1')), 'ip.addr === 10.0.0.1');
  assert.equal(shape(ast('tcp.port in {80, 443 1000..2000}')), 'tcp.port in {80 443 1000..2000}');
  assert.equal(shape(ast('tcp.port in {1 ..1024}')), 'tcp.port in {1..1024}');
  assert.equal(shape(ast('tcp.port not in {80}')), 'not(tcp.port in {80})');
  assert.equal(shape(ast('late-rst or 203.0.113')), 'or(?late-rst, ?203.0.113)');
  assert.equal(shape(ast('ip.addr==2001:db8::/32')), 'ip.addr == 2001:db8::/32');
});

test('strings: escapes of the quote and backslash only, raw strings, single quotes', () => {
  const v = (src: string): string => {
    const e = ast(src);
    assert.equal(e.kind, 'compare');
    return e.kind === 'compare' ? e.value.text : '';
  };
  assert.equal(v('history matches "\\d+"'), '\\d+');
  assert.equal(v('history matches "\\\\d+"'), '\\d+');
  assert.equal(v('fw.reason == "say \\"hi\\""'), 'say "hi"');
  assert.equal(v("fw.reason == 'TCP FINs'"), 'TCP FINs');
  assert.equal(v('history matches r"\\\\"'), '\\\\');
});

test('positions: nodes carry the 1-based line and column of their first token', () => {
  const e = ast('tls and\n  tcp.port == 443');
  assert.equal(e.kind, 'and');
  if (e.kind !== 'and') return;
  assert.deepEqual([e.pos.line, e.pos.col], [1, 5]);
  assert.equal(e.right.kind, 'compare');
  if (e.right.kind !== 'compare') return;
  assert.deepEqual([e.right.pos.line, e.right.pos.col], [2, 3]);
  assert.deepEqual([e.right.opPos.line, e.right.opPos.col], [2, 12]);
  assert.deepEqual([e.right.value.pos.line, e.right.value.pos.col], [2, 15]);
});

test('unknown field, with a suggestion by edit distance', () => {
  assert.equal(err('tcp.flag.reset'), "error: unknown field 'tcp.flag.reset' at 1:1 (did you mean tcp.flags.reset?)");
  assert.equal(err('tls and ip.adr == 1.2.3.4'), "error: unknown field 'ip.adr' at 1:9 (did you mean ip.addr?)");
  assert.equal(err('tls and\nip.srcc == 1.2.3.4'), "error: unknown field 'ip.srcc' at 2:1 (did you mean ip.src?)");
  assert.equal(err('durtion > 1'), "error: unknown field 'durtion' at 1:1 (did you mean duration?)");
  assert.equal(err('xyzzy == 1'), "error: unknown field 'xyzzy' at 1:1");
});

test('unexpected tokens at the right column', () => {
  assert.equal(err('tcp.port == 443 tls'), "error: unexpected 'tls', expected 'and', 'or' or end of filter at 1:17");
  assert.equal(err('tcp.port == == 443'), "error: unexpected '==', expected a value after '==' at 1:13");
  assert.equal(err('tcp.port == 443 and'), 'error: unexpected end of filter, expected a field name or a value at 1:20');
  assert.equal(err('(tls or anomaly'), "error: missing ')' at 1:16 (to close the '(' at 1:1)");
  assert.equal(err('tls and or anomaly'), "error: unexpected 'or', expected a field name or a value at 1:9");
  assert.equal(err('tls)'), "error: unexpected ')' without a matching '(' at 1:4");
  assert.equal(err('tls and ()'), "error: unexpected ')', expected a field name or a value at 1:10");
  assert.equal(err('tcp.port in 80'), "error: unexpected '80', expected '{' after 'in' at 1:13");
  assert.equal(err('tcp.port in {80'), "error: missing '}' at 1:16 (to close the '{' at 1:13)");
  assert.equal(err('tcp.port in {}'), 'error: empty set at 1:13 (put at least one value between { })');
  assert.equal(err('tcp.port = 80'), "error: unexpected '=' at 1:10 (did you mean ==?)");
  assert.equal(err('tls & anomaly'), "error: unexpected '&' at 1:5 (did you mean &&?)");
});

test('unterminated string points at its opening quote', () => {
  assert.equal(err('history contains "Sh'), 'error: unterminated string at 1:18 (close it with ")');
  assert.equal(err("tls or\n fw.reason == 'TCP\n"), "error: unterminated string at 2:15 (close it with ')");
});

test('bad regex', () => {
  assert.match(err('history matches "(["'), /^error: bad regex: .+ at 1:17$/);
  assert.match(err('tls and fw.reason ~ "a{2,1}"'), /^error: bad regex: .+ at 1:21$/);
});

test('bad addresses and CIDRs', () => {
  assert.equal(err('ip.addr == 10.0.0.0/33'), "error: bad CIDR '10.0.0.0/33': prefix length must be 0..32 at 1:12");
  assert.equal(err('ip.addr == 2001:db8::/129'), "error: bad CIDR '2001:db8::/129': prefix length must be 0..128 at 1:12");
  assert.equal(err('ip.src == 10.0.0/8'), "error: bad CIDR '10.0.0/8': '10.0.0' is not an IP address at 1:11");
  assert.equal(err('ip.addr == 300.1.2.3'), "error: '300.1.2.3' is not an IP address at 1:12");
  assert.equal(err('ip.addr == 203.0.113'), "error: '203.0.113' is not an IP address at 1:12 (did you mean 203.0.113.0/24?)");
  assert.equal(err('10.0.0.0/40'), "error: bad CIDR '10.0.0.0/40': prefix length must be 0..32 at 1:1");
  assert.equal(err('ip.addr in {10.0.0.9..10.0.0.1}'), 'error: empty range 10.0.0.9..10.0.0.1 at 1:13 (write the smaller bound first)');
});

test('unknown enum values, with a suggestion', () => {
  assert.equal(err('anomaly == late-rts'), "error: unknown anomaly 'late-rts' at 1:12 (did you mean late-rst?)");
  assert.equal(err('teardown == gracefull'), "error: unknown teardown 'gracefull' at 1:13 (did you mean graceful?)");
  assert.equal(err('conn_state in {SF RST0}'), "error: unknown conn_state 'RST0' at 1:19 (did you mean RSTO?)");
  assert.equal(err('closed_by == server'), "error: unknown closed_by 'server' at 1:14 (one of: none, orig, resp, both)");
  assert.equal(err('vantage == insde'), "error: unknown vantage 'insde' at 1:12 (did you mean inside?)");
});

test('type errors in values and operators', () => {
  assert.equal(err('tcp.port contains "4"'), "error: 'contains' needs a text field, and tcp.port is a port at 1:10");
  assert.equal(err('tcp.port == 70000'), 'error: port 70000 is out of range at 1:13 (ports are 0..65535)');
  assert.equal(err('duration > soon'), "error: 'soon' is not a number (duration is a number) at 1:12");
  assert.equal(err('tls == maybe'), "error: 'maybe' is not a boolean (tls) at 1:8 (use 1, 0, true or false)");
  assert.equal(err('teardown < abort'), "error: '<' needs a number or an address, and teardown is an enum at 1:10");
  assert.equal(err('tcp.port in {1024..1}'), 'error: empty range 1024..1 at 1:14 (write the smaller bound first)');
  assert.equal(err('history in {a..b}'), 'error: a range needs numbers, ports or addresses (history is a string) at 1:13');
});

test('control characters in the input never reach the message raw', () => {
  const m = err('tls and fo\x1b[31mo == 1');
  assert.ok(!m.includes('\x1b'), m);
  assert.match(m, /\\x1b/);
});

test('never throws, whatever the input', () => {
  const junk = ['(', ')', '{', '}', '"', "'", '!', '!!', '..', ',', '&&', '||', 'in', 'not', 'not in', '==', '~', 'r"', 'tcp.port in {1..}', 'tcp.port in {..2}', '((((((tls', 'ip.addr == ::::', 'ip.addr == 1::2::3', '\u0000', '\\', 'history matches "\\"', 'ip.addr == /8', 'anomaly ===', 'id == 0x'];
  for (const j of junk) {
    assert.doesNotThrow(() => compileFilter(j, T), j);
    const r = compileFilter(j, T);
    if (!r.ok) {
      assert.ok(r.error.line >= 1 && r.error.col >= 1, j);
      assert.ok(r.error.col <= j.length + 1, `${j}: col ${r.error.col}`);
    }
  }
});

test('completion of field names and enum values', () => {
  assert.deepEqual(completeField('tcp.flags.re'), ['tcp.flags.reset', 'tcp.flags.reset.orig', 'tcp.flags.reset.resp']);
  assert.deepEqual(completeField('ip.'), ['ip.addr', 'ip.src', 'ip.dst']);
  assert.deepEqual(completeField('nosuch'), []);
  assert.deepEqual(completeValue('anomaly', 'late'), ['late-rst']);
  assert.deepEqual(completeValue('vantage', 'out', T), ['outside']);
  assert.deepEqual(completeValue('tcp.port', '4'), []);
});
