/**
 * `flows --format ndjson` lines written during the verdict pass (flow-share.ts), by the main
 * thread alone or shared with the analysis worker, are byte for byte the lines written after
 * loading, in order; the pass leaves them to the command when logs or a second capture will
 * still change them.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, type Dataset, type DatasetOptions } from '../src/flows/dataset.js';
import { FlowLineEncoder } from '../src/export/flow-bytes.js';
import { OrderedLines } from '../src/export/flow-share.js';
import { BLOCK } from '../src/flows/analyse-range.js';
import { generate } from '../bench/gen.js';
import { fixture } from './helpers.js';

/** The lines as the command writes them after loading. */
function after(ds: Dataset): string {
  const parts: string[] = [];
  let buffer = new Uint8Array(1 << 16), pos = 0;
  const out = {
    get buffer() { return buffer; },
    reserve(n: number) {
      if (pos + n > buffer.length) {
        parts.push(Buffer.from(buffer.subarray(0, pos)).toString());
        buffer = new Uint8Array(Math.max(1 << 16, n));
        pos = 0;
      }
      return pos;
    },
    commit(end: number) { pos = end; },
  };
  const enc = new FlowLineEncoder(ds);
  for (let i = 0; i < ds.conns.count; i++) enc.write(out, i);
  parts.push(Buffer.from(buffer.subarray(0, pos)).toString());
  return parts.join('');
}

async function during(paths: string[], worker: DatasetOptions['worker']): Promise<{ ds: Dataset; text: string; chunks: number }> {
  const got: Uint8Array[] = [];
  const ds = await loadDataset(paths, { worker, flowLines: (b) => got.push(Uint8Array.from(b)) });
  return { ds, text: Buffer.concat(got).toString(), chunks: got.length };
}

test('lines written during the pass are the lines written after it: one thread, and with the worker over many blocks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-flowlines-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.pcap');
  // ~11 k connections: blocks of 2048 taken by both threads, in no set order
  generate(big, { packets: 200_000, concurrent: 500, seed: 11 });
  const sets = [['tcp/port-reuse.pcap'], ['formats/ipv6.pcap'], ['tcp/tls13-no-close-notify.pcap'], ['tcp/abort-in-flight.pcap'], ['tcp/data-to-closed.pcap']].map((s) => s.map(fixture));
  for (const paths of [...sets, [big]]) {
    for (const worker of ['never', 'always'] as const) {
      const { ds, text, chunks } = await during(paths, worker);
      assert.equal(ds.flowLinesWritten, true, `${paths.join(' ')} ${worker}`);
      assert.ok(text.length > 0 && text === after(ds), `${paths.join(' ')} ${worker}: the same lines`);
      assert.equal(chunks, Math.ceil(ds.conns.count / BLOCK), 'a chunk a block');
    }
  }
  const { ds } = await during([big], 'always');
  assert.ok(ds.conns.count > 4 * BLOCK, `enough blocks for both threads (${ds.conns.count} connections)`);
});

test('with logs or a second capture, the lines are left to the command', async () => {
  for (const paths of [['demo/inside.pcap', 'demo/asa.log'], ['demo/inside.pcap', 'demo/outside.pcap']].map((s) => s.map(fixture))) {
    const { ds, chunks } = await during(paths, 'always');
    assert.equal(ds.flowLinesWritten, false, paths.join(' '));
    assert.equal(chunks, 0);
  }
});

test('blocks are handed on in order, whatever order they come in, each once', () => {
  const out: string[] = [];
  const order = new OrderedLines(10, 3, (b) => out.push(Buffer.from(b).toString()));
  const put = (from: number) => order.put(from, Buffer.from(`[${from}]`));
  put(3);
  put(9);
  assert.deepEqual(out, []);
  assert.equal(order.missing, 0);
  put(0);
  assert.deepEqual(out, ['[0]', '[3]']);
  put(3);
  put(0);
  put(6);
  assert.deepEqual(out, ['[0]', '[3]', '[6]', '[9]']);
  assert.equal(order.missing, 10);
});
