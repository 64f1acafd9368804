/**
 * A firewall log alone, end to end through the real CLI: ~3000 lines of synthetic Cisco ASA syslog
 * (bench/gen-asa.ts, which knows what each connection and deny burst should become) read by
 * `rsttui flows --format ndjson --year 2018`; the rows per teardown class and per anomaly are
 * exactly the generator's truth. Every row is known from the log only: no packets, so no
 * conn_state (null), and the anomaly firewall-only.
 */
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAsaLog, type Truth } from '../bench/gen-asa.js';
import { BIN } from './helpers.js';

/** The teardown classes a firewall log alone can give (bench/gen-asa.ts's reasons, and 106023). */
const LOG_TEARDOWNS = ['graceful', 'abort', 'unanswered', 'timeout', 'firewall-reset', 'denied'];

interface Row { teardown: string; anomalies: string[]; conn_state: unknown }

let dir = '';
let truth: Truth;
let rows: Row[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsttui-logtruth-'));
  const file = join(dir, 'asa.log');
  truth = generateAsaLog(file, { lines: 3000 });
  const r = spawnSync('node', [BIN, 'flows', '--format', 'ndjson', '--year', '2018', file], {
    encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, CI: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Row);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function count(keys: (r: Row) => string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) for (const k of keys(r)) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** The keys whose counts differ, one line each: `key  expected N  got M  (+/-D)`. */
function diff(want: Record<string, number>, got: Record<string, number>): string {
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
  const w = Math.max(...keys.map((k) => k.length));
  const lines = keys
    .filter((k) => (want[k] ?? 0) !== (got[k] ?? 0))
    .map((k) => {
      const d = (got[k] ?? 0) - (want[k] ?? 0);
      return `  ${k.padEnd(w)}  expected ${String(want[k] ?? 0).padStart(5)}  got ${String(got[k] ?? 0).padStart(5)}  (${d > 0 ? '+' : ''}${d})`;
    });
  return lines.join('\n');
}

test('log truth: one row per connection and per deny burst', () => {
  assert.equal(rows.length, truth.rows, `rows: expected ${truth.rows} (of ${truth.lines} lines), got ${rows.length}`);
});

test('log truth: rows per teardown class equal the generator\'s', () => {
  const got = count((r) => [r.teardown]);
  assert.deepEqual(got, truth.byTeardown, `rows per teardown differ:\n${diff(truth.byTeardown, got)}`);
});

test('log truth: rows per anomaly equal the generator\'s', () => {
  const got = count((r) => r.anomalies);
  assert.deepEqual(got, truth.byAnomaly, `rows per anomaly differ:\n${diff(truth.byAnomaly, got)}`);
});

test('log truth: no packets, so no conn_state', () => {
  const states = count((r) => [r.conn_state === null ? 'null' : JSON.stringify(r.conn_state)]);
  assert.deepEqual(states, { null: rows.length }, `conn_state of the rows (want null everywhere): ${JSON.stringify(states)}`);
});

test('log truth: only the teardown classes a log can give', () => {
  const other = count((r) => (LOG_TEARDOWNS.includes(r.teardown) ? [] : [r.teardown]));
  assert.deepEqual(other, {}, `rows with a teardown other than ${LOG_TEARDOWNS.join(', ')}: ${JSON.stringify(other)}`);
});
