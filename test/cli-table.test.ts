/**
 * The headless tables (`flows`, `packets` in their default format): written row by row in the
 * widths of their first rows. A table of every connection of a large log was held whole and
 * measured with Math.max over all its cells, past the call stack's limit: `rsttui flows` on a
 * 400 k-line log (~140 k rows) ended in an internal error without a line written.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAsaLog } from '../bench/gen-asa.js';
import { TABLE_SAMPLE, TableWriter } from '../src/cli/table.js';
import { BIN, fixture } from './helpers.js';
import { loadDataset } from '../src/flows/dataset.js';
import { FLOW_HEADER, FLOW_RIGHT, FlowCells, datasetCells } from '../src/export/flow-cells.js';
import { FlowTableBytes } from '../src/export/flow-table-bytes.js';
import { GrowingLines } from '../src/export/flow-bytes.js';

const write = (header: string[], rows: string[][], right = new Set<number>(), least: number[] = []): string[] => {
  const out: string[] = [];
  const t = new TableWriter(header, right, (l) => out.push(l), least);
  for (const r of rows) t.row(r);
  t.end();
  return out;
};

test('a short table: every column as wide as its widest cell, right-aligned ones padded on the left', () => {
  const out = write(['n', 'name'], [['7', 'a'], ['12345', 'longer name'], ['3', 'b']], new Set([0]));
  assert.deepEqual(out, ['    n  name', '    7  a', '12345  longer name', '    3  b']);
});

test('an empty table is its header', () => {
  assert.deepEqual(write(['id', 'x'], []), ['id  x']);
});

test('a long table: the first rows set the widths, a wider cell later pushes its row, every row written', () => {
  const rows = Array.from({ length: TABLE_SAMPLE + 5 }, (_, k) => [String(k), k === TABLE_SAMPLE + 2 ? 'a-much-wider-cell' : 'ab', 'z']);
  const out = write(['k', 'cell', 'end'], rows, new Set([0]), [5]);
  assert.equal(out.length, rows.length + 1);
  assert.equal(out[0], '    k  cell  end');
  assert.equal(out[1], '    0  ab    z');
  assert.equal(out[TABLE_SAMPLE + 1], ' 1000  ab    z');
  assert.equal(out[TABLE_SAMPLE + 3], ' 1002  a-much-wider-cell  z');
});

test('rsttui flows writes the table of a ~140 k-row log, one row a connection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-table-'));
  try {
    const file = join(dir, 'asa.log');
    const truth = generateAsaLog(file, { lines: 400_000 });
    assert.ok(truth.rows > 130_000, `${truth.rows} rows`);
    const r = spawnSync('node', [BIN, 'flows', '--year', '2018', file], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, CI: '' } });
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.match(lines[0]!, /^\s*id\s+orig\s+resp\s+start/);
    assert.equal(lines.length - 1, truth.rows);
    // the teardown column (the 11th word: the start is two) counts each class as the generator wrote it
    const byClass = new Map<string, number>();
    for (const l of lines.slice(1)) {
      const w = l.trim().split(/\s+/)[10]!;
      byClass.set(w, (byClass.get(w) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries([...byClass].sort()), Object.fromEntries(Object.entries(truth.byTeardown).sort()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The rows after the first ones are written as bytes (flow-table-bytes.ts): the same text as the
 * string rows in the same widths, for rows with packets, histories, anomalies, two vantages,
 * firewall events with reasons, IPv6 endpoints, a log-only row; in widths that fit and in widths
 * too narrow (a wider cell pushes its row).
 */
test('the table rows written as bytes are the string rows, in any widths', async () => {
  for (const files of [['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'], ['tcp/ipv6-clean.pcap', 'tcp/port-reuse.pcap'], ['logs/seed-asa.log']]) {
    const ds = await loadDataset(files.map(fixture));
    const cells = new FlowCells(datasetCells(ds));
    const rows = Array.from({ length: ds.conns.count }, (_, i) => cells.cells(i));
    for (const narrow of [false, true]) {
      // a TableWriter whose first TABLE_SAMPLE rows set the widths: those rows, or none but headers (narrow)
      const lines: string[] = [];
      const table = new TableWriter(FLOW_HEADER, FLOW_RIGHT, (l) => lines.push(l));
      for (let k = 0; k < TABLE_SAMPLE; k++) table.row(narrow ? FLOW_HEADER.map(() => '') : rows[k % rows.length]!);
      assert.ok(table.widths);
      lines.length = 0;
      for (const r of rows) table.row(r);
      const out = new GrowingLines(1 << 16);
      const bytes = new FlowTableBytes(table.widths, new FlowCells(datasetCells(ds)));
      for (let i = 0; i < ds.conns.count; i++) bytes.write(out, i);
      const got = Buffer.from(out.buffer.subarray(0, out.end)).toString('utf8').split('\n').slice(0, -1);
      assert.deepEqual(got, lines, `${files.join(' ')}${narrow ? ', narrow' : ''}`);
    }
    assert.ok(rows.some((r) => r[13] !== '') || files[0]!.startsWith('tcp/'), 'firewall cells');
  }
});

