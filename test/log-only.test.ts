/**
 * Firewall logs with no capture (issue 15): log-only verdicts from the firewall's words, the
 * seed's pattern from the log alone, the two-range (two-worker) read giving exactly what one pass
 * gives, and damage reported as FILE:LINE with the rest read.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { flowRecord, type FlowRecord } from '../src/export/records.js';
import { REASON_CLASS, TEARDOWN_REASONS } from '../src/read/asa-reasons.js';
import { TEARDOWNS } from '../src/model.js';
import { generateAsaLog } from '../bench/gen-asa.js';
import { fixture } from './helpers.js';
import { buildTimeline } from '../src/ui/view/ladder.js';
import { timeline } from '../src/cli/explain.js';

const rows = (ds: Dataset): FlowRecord[] => Array.from({ length: ds.conns.count }, (_, i) => flowRecord(ds, i));

function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-logonly-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('every ASA teardown reason has a class and a meaning, and the classes exist', () => {
  assert.deepEqual(Object.keys(REASON_CLASS).sort(), Object.keys(TEARDOWN_REASONS).sort());
  for (const c of Object.values(REASON_CLASS)) assert.ok((TEARDOWNS as readonly string[]).includes(c.teardown), c.teardown);
});

test('the seed log alone: the problem connection is late-rst + rst-denied, closed by the server; the reference one graceful', async () => {
  const ds = await loadDataset([fixture('logs/seed-asa.log')]);
  const r = rows(ds);
  assert.equal(r.length, 2);
  const problem = r.find((x) => x.orig_p === 43918)!;
  assert.equal(problem.conn_state, null, 'no packets: no conn_state');
  assert.equal(problem.history, null);
  assert.equal(problem.teardown, 'graceful', 'TCP FINs');
  assert.equal(problem.closed_by, 'resp', 'FINs from INSIDE: the server, on the inside, closed first');
  assert.deepEqual([...problem.anomalies].sort(), ['firewall-only', 'late-rst', 'rst-denied']);
  assert.equal(problem.ts, Date.UTC(2018, 5, 20, 11, 58, 45) / 1000, 'ts is the Built time');
  assert.equal(problem.duration, 125, 'the Teardown says 0:02:05');
  assert.equal(problem.fw_bytes, 107244);
  assert.deepEqual(problem.firewall.map((e) => e.msgid), [302013, 302014, 106015]);
  const ref = r.find((x) => x.orig_p === 3954)!;
  assert.equal(ref.teardown, 'graceful');
  assert.deepEqual(ref.anomalies, ['firewall-only']);
});

const LINE = (t: string, body: string, sev = 6): string => `<16${sev}>Jun 20 2018 ${t} fw1 : %ASA-${sev}-${body}`;

test('reasons give their class and closing side; timeouts, late packets after one, denies by policy', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  writeFileSync(log, [
    // abort by the inside (the server): Reset-I
    LINE('10:00:00', '302013: Built inbound TCP connection 1 for outside:198.51.100.1/40001 (198.51.100.1/40001) to inside:10.0.0.1/443 (203.0.113.1/443)'),
    LINE('10:00:05', '302014: Teardown TCP connection 1 for outside:198.51.100.1/40001 to inside:10.0.0.1/443 duration 0:00:05 bytes 100 TCP Reset-I'),
    // outbound: the inside client is the originator; Reset-O is the outside server's RST
    LINE('10:00:10', '302013: Built outbound TCP connection 2 for outside:192.0.2.9/443 (192.0.2.9/443) to inside:10.0.0.2/50000 (203.0.113.2/61000)'),
    LINE('10:00:12', '302014: Teardown TCP connection 2 for outside:192.0.2.9/443 to inside:10.0.0.2/50000 duration 0:00:02 bytes 5 TCP Reset-O'),
    // idle timeout, then the client's next packet 20 minutes later is denied: after-timeout
    LINE('10:01:00', '302013: Built inbound TCP connection 3 for outside:198.51.100.3/40003 (198.51.100.3/40003) to inside:10.0.0.1/22 (203.0.113.1/22)'),
    LINE('11:01:00', '302014: Teardown TCP connection 3 for outside:198.51.100.3/40003 to inside:10.0.0.1/22 duration 1:00:00 bytes 9000 Idle Timeout'),
    LINE('11:21:00', '106015: Deny TCP (no connection) from 198.51.100.3/40003 to 203.0.113.1/22 flags PSH ACK  on interface outside'),
    // SYN timeout and the firewall's own reset
    LINE('11:30:00', '302013: Built inbound TCP connection 4 for outside:198.51.100.4/40004 (198.51.100.4/40004) to inside:10.0.0.1/80 (203.0.113.1/80)'),
    LINE('11:30:30', '302014: Teardown TCP connection 4 for outside:198.51.100.4/40004 to inside:10.0.0.1/80 duration 0:00:30 bytes 0 SYN Timeout'),
    LINE('11:31:00', '302014: Teardown TCP connection 5 for outside:198.51.100.5/40005 to inside:10.0.0.1/80 duration 0:00:10 bytes 0 TCP Reset-APPLIANCE'),
    // a denied attempt retried twice: one row
    LINE('11:40:00', '106023: Deny tcp src outside:198.51.100.6/40006 dst inside:203.0.113.1/3389 by access-group "outside_in" [0x0, 0x0]', 4),
    LINE('11:40:03', '106023: Deny tcp src outside:198.51.100.6/40006 dst inside:203.0.113.1/3389 by access-group "outside_in" [0x0, 0x0]', 4),
    LINE('11:40:09', '106023: Deny tcp src outside:198.51.100.6/40006 dst inside:203.0.113.1/3389 by access-group "outside_in" [0x0, 0x0]', 4),
    // an unknown reason is kept as written: open
    LINE('11:50:00', '302014: Teardown TCP connection 7 for outside:198.51.100.7/40007 to inside:10.0.0.1/80 duration 0:00:01 bytes 0 Made-up reason'),
  ].join('\n') + '\n');
  const ds = await loadDataset([log]);
  const r = rows(ds);
  const by = (p: number): FlowRecord => r.find((x) => x.orig_p === p || x.resp_p === p && x.orig_p === 50000)!;
  assert.equal(r.length, 7, JSON.stringify(r.map((x) => [x.orig_p, x.teardown])));
  assert.ok(r.every((x) => x.conn_state === null && x.anomalies.includes('firewall-only')));
  assert.deepEqual([by(40001).teardown, by(40001).closed_by], ['abort', 'resp']);
  const out = r.find((x) => x.orig_h === '10.0.0.2')!;
  assert.deepEqual([out.orig_p, out.resp_h, out.teardown, out.closed_by], [50000, '192.0.2.9', 'abort', 'resp']);
  assert.equal(by(40003).teardown, 'timeout');
  assert.deepEqual(by(40003).anomalies, ['firewall-only', 'after-timeout']);
  assert.equal(by(40003).firewall.length, 3, 'the late packet is on the connection it belongs to');
  assert.equal(by(40004).teardown, 'unanswered');
  assert.equal(by(40005).teardown, 'firewall-reset');
  assert.equal(by(40005).ts, Date.UTC(2018, 5, 20, 11, 30, 50) / 1000, 'no Built: ts is the Teardown time minus its duration');
  assert.equal(by(40006).teardown, 'denied');
  assert.equal(by(40006).firewall.length, 3);
  assert.equal(by(40007).teardown, 'open');
  assert.equal(by(40007).firewall[0]!.reason, 'Made-up reason');
});

test('a large log read in ranges by two workers gives exactly what one pass gives, lines and issues included', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 6000 });
  // damage in the second half: still reported with its line in the whole file
  const lines = readFileSync(log, 'utf8').split('\n');
  lines.splice(4500, 0, '<166>Jun 20 2018 11:00:00 fw01 : %ASA-6-302013: Built inbound TCP connection oops');
  writeFileSync(log, lines.join('\n'));
  const one = await loadDataset([log], { worker: 'never', year: 2018 });
  const two = await loadDataset([log], { worker: 'always', year: 2018 });
  assert.equal(two.fw.chunks.map((c) => c.range).filter((r, k, a) => a.indexOf(r) === k).length, 2, 'read in two ranges');
  assert.deepEqual(rows(two), rows(one));
  assert.deepEqual(two.issues, one.issues);
  const bad = one.issues.find((i) => i.code === 'bad-syslog-line')!;
  assert.equal(bad.line, 4501);
  assert.equal(bad.file, log);
  let lastLine = 0;
  two.fw.forEach((e) => {
    assert.ok(two.fw.line(e) > lastLine, 'events in log order with their file line numbers');
    lastLine = two.fw.line(e);
  });
  assert.equal(one.fw.count, two.fw.count);
  assert.ok(one.fw.count > 5000);
  // cut finer than the workers: they claim the ranges in turn, shorter towards the end
  const many = await loadDataset([log], { worker: 'always', year: 2018, logRangeBytes: 16 << 10 });
  const sizes = new Map<number, number>();
  many.fw.forEach((e) => sizes.set(many.fw.chunk(e).range, (sizes.get(many.fw.chunk(e).range) ?? 0) + 1));
  assert.ok(sizes.size >= 10, `read in ${sizes.size} ranges`);
  assert.ok(sizes.get(0)! > 2 * sizes.get(sizes.size - 1)!, 'the last range is shorter than the first');
  assert.deepEqual(rows(many), rows(one));
  assert.deepEqual(many.issues, one.issues);
  assert.deepEqual(many.fw.chunks.flatMap((c) => [...c.line.subarray(0, c.n)]), one.fw.chunks.flatMap((c) => [...c.line.subarray(0, c.n)]));
});

test('log workers that fail: the ranges none finished are reported once, the load ends', async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'asa.log');
  generateAsaLog(log, { lines: 3000 });
  const scripts = {
    // (an error when it starts; a worker that claims a range, then exits)
    'throws.mjs': `throw new Error('boom');`,
    'exits.mjs': `import { parentPort } from 'node:worker_threads';
parentPort.once('message', (t) => { Atomics.add(t.next, 0, 1); process.exit(3); });`,
  };
  for (const [name, code] of Object.entries(scripts)) {
    const script = join(dir, name);
    writeFileSync(script, code);
    const ds = await loadDataset([log], { worker: 'always', year: 2018, logRangeBytes: 16 << 10, logWorkerFile: pathToFileURL(script) });
    const stops = ds.issues.filter((i) => i.code === 'read-error');
    assert.equal(stops.length, 1, `${name}: one issue`);
    assert.match(stops[0]!.message, name === 'throws.mjs' ? /boom/ : /the log reader stopped/);
    assert.equal(ds.fw.count, 0);
  }
});

test('a log that passes New Year in its first of many ranges gives what one pass gives', async (t) => {
  // (every later range is parsed again on the main thread with the year it should have started with)
  const lines: string[] = [];
  for (let k = 0; k < 3000; k++) {
    const stamp = k < 300 ? `Dec 31 23:59:${String(k % 60).padStart(2, '0')}` : `Jan  1 00:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}`;
    const ep = `outside:100.64.${Math.floor(k / 250)}.${(k % 250) + 1}/${1024 + k}`;
    lines.push(`<166>${stamp} fw01 %ASA-6-302013: Built inbound TCP connection ${k} for ${ep} (${ep.slice(8)}) to inside:172.16.1.10/443 (203.0.113.5/443)`);
  }
  const log = join(tmp(t), 'new-year.log');
  writeFileSync(log, lines.join('\n') + '\n');
  const one = await loadDataset([log], { worker: 'never', year: 2018 });
  const many = await loadDataset([log], { worker: 'always', year: 2018, logRangeBytes: 16 << 10 });
  assert.ok(new Set(many.fw.chunks.map((c) => c.range)).size >= 10);
  const ts = (d: Awaited<ReturnType<typeof loadDataset>>): number[] => { const o: number[] = []; d.fw.forEach((e) => o.push(d.fw.ts(e))); return o; };
  assert.deepEqual(ts(many), ts(one));
  assert.equal(ts(one).at(-1), Date.UTC(2019, 0, 1, 0, 49, 59) / 1000, 'January is read as 2019');
  assert.deepEqual(rows(many), rows(one));
});

test('event text is read back from the log (by offset from a file, kept from gzip), UTF-8, control characters stripped', async (t) => {
  const dir = tmp(t);
  const text = [
    LINE('10:00:00', '302013: Built inbound TCP connection 1 for outside:198.51.100.1/40001 (198.51.100.1/40001) to inside:10.0.0.1/443 (203.0.113.1/443) (LOCAL\\j\u00fcrgen)'),
    LINE('10:00:05', '302014: Teardown TCP connection 1 for outside:198.51.100.1/40001 to inside:10.0.0.1/443 duration 0:00:05 bytes 100 TCP FINs \u001b[2J'),
  ].join('\n') + '\n';
  const log = join(dir, 'asa.log');
  writeFileSync(log, text);
  const gz = join(dir, 'asa.log.gz');
  writeFileSync(gz, gzipSync(Buffer.from(text)));
  for (const path of [log, gz]) {
    const ds = await loadDataset([path]);
    const [built, down] = ds.firewallOf(0);
    assert.match(built!.text, /\(LOCAL\\j\u00fcrgen\)$/, path);
    assert.equal(down!.text.includes('\u001b'), false, path);
    assert.match(down!.text, /^Teardown TCP connection 1 .* TCP FINs/, path);
  }
});

test('the log-only timeline: one row per event, arrows where the log gives the side, the seed pattern explained', async () => {
  const ds = await loadDataset([fixture('logs/seed-asa.log')]);
  const i = rows(ds).findIndex((x) => x.orig_p === 43918);
  const tl = buildTimeline(ds, i);
  assert.deepEqual(tl.rows.map((r) => [r.kind, r.dir]), [['fw', 'orig'], ['fw', 'resp'], ['fw', 'resp']]);
  assert.match(tl.rows[2]!.label, /106015 DENIED RST \(no connection\)/);
  assert.match(tl.header[1]!, /^conn_state -  history -  teardown graceful/);
  const said = timeline(ds, i).filter((e) => e.kind === 'event').map((e) => e.text);
  assert.match(said[2]!, /from the log alone: .* harmless/);
});

test("a log connection's events: a Built logged again while open, its local-host lines, denies before and after its Teardown, each once and in order", async (t) => {
  const dir = tmp(t);
  const log = join(dir, 'dup.log');
  const at = (s: number, body: string): string => `<166>Jun 20 2018 10:00:0${s} fw01 : %ASA-6-${body}`;
  writeFileSync(log, [
    at(1, '302013: Built inbound TCP connection 5 for outside:198.51.100.7/51514 (198.51.100.7/51514) to dmz:10.0.0.80/443 (203.0.113.80/443)'),
    at(2, '609001: Built local-host outside:198.51.100.7'),
    at(3, '302013: Built inbound TCP connection 5 for outside:198.51.100.7/51514 (198.51.100.7/51514) to dmz:10.0.0.80/443 (203.0.113.80/443)'),
    at(4, '106015: Deny TCP (no connection) from 10.0.0.80/443 to 198.51.100.7/51514 flags RST  on interface dmz'),
    at(5, '302014: Teardown TCP connection 5 for outside:198.51.100.7/51514 to dmz:10.0.0.80/443 duration 0:00:04 bytes 100 TCP FINs'),
    at(6, '106015: Deny TCP (no connection) from 10.0.0.80/443 to 198.51.100.7/51514 flags RST  on interface dmz'),
    at(6, '609002: Teardown local-host outside:198.51.100.7 duration 0:00:05'),
  ].join('\n') + '\n');
  const ds = await loadDataset([log]);
  const r = rows(ds);
  assert.equal(r.length, 1);
  assert.deepEqual(r[0]!.firewall.map((e) => `${e.msgid}@${e.ts - r[0]!.firewall[0]!.ts}`),
    ['302013@0', '609001@1', '302013@2', '106015@3', '302014@4', '106015@5', '609002@5']);
  assert.deepEqual(r[0]!.anomalies.filter((a) => a !== 'firewall-only').sort(), ['late-rst', 'rst-denied']);
});
