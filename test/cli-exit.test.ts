/** The CLI's contract: exit codes, errors naming file and offset, good records before damage kept. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, fixture } from './helpers.js';

const run = (args: string[], input?: Buffer) =>
  spawnSync('node', [BIN, ...args], { encoding: 'utf8', ...(input ? { input } : {}), env: { ...process.env, CI: '' } });

test('flows on a good capture exits 0 and prints one row per connection', () => {
  const r = run(['flows', '--format', 'ndjson', fixture('formats/eth-usec-le.pcap')]);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 1);
  for (const f of ['id', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'ts', 'duration', 'orig_pkts', 'resp_pkts', 'orig_bytes', 'resp_bytes', 'conn_state', 'history', 'teardown', 'closed_by', 'anomalies', 'vantages', 'firewall']) {
    assert.ok(f in rows[0], `field ${f}`);
  }
  assert.equal(rows[0].conn_state, 'SF');
  assert.equal(rows[0].teardown, 'graceful');
});

test('a file that is no capture: exit 1, error names the file and offset', () => {
  const f = fixture('malformed/bad-magic.pcap');
  const r = run(['flows', f]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`error: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: offset 0`));
});

test('a truncated record: warning with its offset, the good records before it still reported, exit 0', () => {
  const r = run(['packets', '--format', 'ndjson', fixture('malformed/truncated-record.pcap')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: .*truncated-record\.pcap: offset \d+/);
  const frames = r.stdout.trim().split('\n').map((l) => JSON.parse(l).frame);
  assert.ok(frames.length >= 5, `only ${frames.length} packets before the damage`);
  assert.deepEqual(frames, frames.slice().sort((a, b) => a - b));
});

test('bad usage exits 2: unknown command, unknown format, missing --flow', () => {
  assert.equal(run(['flowz', 'x']).status, 2);
  assert.equal(run(['flows', '--format', 'xml', fixture('formats/eth-usec-le.pcap')]).status, 2);
  assert.equal(run(['explain', fixture('formats/eth-usec-le.pcap')]).status, 2);
  const bad = run(['flows', '--filter', 'tcp.flag.reset', fixture('formats/eth-usec-le.pcap')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown field 'tcp.flag.reset' at 1:1 \(did you mean tcp.flags.reset\?\)/);
});

test('a --filter that does not parse (syntax, unknown field, a value no input has) is reported before any input is read', () => {
  // (the input does not exist: reading it would have reported that first)
  const missing = fixture('formats/no-such-file.pcap');
  for (const cmd of [['flows'], ['packets'], ['summary'], ['export', '-o', '/tmp/rsttui-never-written.pcap']]) {
    const r = run([...cmd, '--filter', 'teardown ==', missing]);
    assert.equal(r.status, 2, cmd[0]);
    assert.match(r.stderr, /expected a value after '==' at 1:12/, cmd[0]);
    assert.doesNotMatch(r.stderr, /no-such-file/, `${cmd[0]}: the input was not opened`);
  }
  const field = run(['flows', '--filter', 'tcp.flag.reset', missing]);
  assert.equal(field.status, 2);
  assert.match(field.stderr, /unknown field 'tcp.flag.reset'/);
  assert.doesNotMatch(field.stderr, /no-such-file/, 'an unknown field too');
  // a value no input can have: a teardown class, an anomaly, a port out of range (a day's log took 15 s to load before the typo was told)
  for (const [expr, said] of [['teardown == after-timeout', /unknown teardown 'after-timeout'/], ['anomaly == late-rts', /did you mean late-rst\?/],
    ['tcp.port == 70000', /port 70000 is out of range/]] as const) {
    const r = run(['flows', '--filter', expr, missing]);
    assert.equal(r.status, 2, expr);
    assert.match(r.stderr, said, expr);
    assert.doesNotMatch(r.stderr, /no-such-file/, `${expr}: the input was not opened`);
  }
  // vantage names are the inputs': checked once they are loaded
  const vantage = run(['flows', '--filter', 'vantage == nosuch', missing]);
  assert.equal(vantage.status, 2);
  assert.match(vantage.stderr, /no-such-file[^]*unknown vantage 'nosuch'/, 'the input first, then the filter');
});

test('- reads a capture from stdin, gzip or not', () => {
  const plain = run(['flows', '--format', 'ndjson', '-'], readFileSync(fixture('formats/eth-usec-le.pcap')));
  const gz = run(['flows', '--format', 'ndjson', '-'], readFileSync(fixture('formats/eth.pcap.gz')));
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(gz.status, 0, gz.stderr);
  assert.equal(JSON.parse(plain.stdout).vantages[0], 'stdin');
  assert.equal(JSON.parse(gz.stdout).conn_state, 'SF');
});

test('--format zeek writes a conn.log header zeek-cut understands', () => {
  const r = run(['flows', '--format', 'zeek', fixture('formats/eth-usec-le.pcap')]);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], '#separator \\x09');
  const fields = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
  const types = lines.find((l) => l.startsWith('#types'))!.split('\t').slice(1);
  assert.equal(fields.length, types.length);
  const row = lines.find((l) => !l.startsWith('#'))!.split('\t');
  assert.equal(row.length, fields.length);
  assert.equal(row[fields.indexOf('conn_state')], 'SF');
  assert.equal(row[fields.indexOf('proto')], 'tcp');
  assert.ok(lines[lines.length - 1]!.startsWith('#close'));
});

test('a progress line only on a terminal: nothing on stderr when it is a pipe', () => {
  const r = run(['flows', fixture('formats/eth-usec-le.pcap')]);
  assert.equal(r.stderr, '');
});

test('IPv6 endpoints are bracketed in tables, so the port is not read as part of the address', () => {
  const r = run(['flows', fixture('tcp/ipv6-clean.pcap')]);
  assert.match(r.stdout, /\[fd99::1\]:\d+ +\[fd99::2\]:8080/);
  const e = run(['explain', '--flow', '1', fixture('tcp/ipv6-clean.pcap')]);
  assert.match(e.stdout, /^connection 1: \[fd99::1\]:\d+ \(client\) → \[fd99::2\]:8080 \(server\)/);
});

test('an input whose reading ends in an error before its first packet is unusable: exit 1, even beside a good one', () => {
  const bad = fixture('malformed/absurd-caplen-first.pcap');
  const alone = run(['flows', '--format', 'ndjson', bad]);
  assert.equal(alone.status, 1);
  assert.match(alone.stderr, /^error: .*absurd-caplen-first\.pcap: offset 24 \(record 1\)/m);
  assert.equal(alone.stdout, '');
  const beside = run(['flows', '--format', 'ndjson', bad, fixture('formats/eth-usec-le.pcap')]);
  assert.equal(beside.status, 1, 'one input could not be used');
  assert.equal(beside.stdout.trim().split('\n').length, 1, 'the good input is still read');
});

test('an input that gave packets before its error is used as far as it goes: the error is printed, exit 0', () => {
  const r = run(['flows', '--format', 'ndjson', fixture('malformed/absurd-caplen.pcap')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^error: .*absurd-caplen\.pcap: offset 204 \(record 3\)/m);
  assert.ok(r.stdout.trim().length > 0, 'the connection of the records before the damage');
});
