/** Buffers mapped from the OS for the load-time tables (src/flows/memory.ts). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateShortConns } from '../bench/ui-gen.js';
import { mapLoadTablesFromOs, osBuffer } from '../src/flows/memory.js';
import { fixture } from './helpers.js';

test('osBuffer: zeroed, at least the size asked, shared when asked; mapped from the OS once switched on', (t) => {
  const heap = osBuffer(1000);
  assert.equal(heap.byteLength, 1000, 'off (headless): an ordinary buffer of the size asked');
  mapLoadTablesFromOs();
  t.after(() => mapLoadTablesFromOs(false));
  const b = osBuffer(100_000);
  // (a WebAssembly memory's buffer: whole 64 KiB pages)
  assert.equal(b.byteLength, 2 * 65536);
  assert.ok(b.byteLength >= 100_000);
  assert.ok(new Uint8Array(b).every((x) => x === 0));
  const s = osBuffer(10, true);
  assert.equal(Object.prototype.toString.call(s), '[object SharedArrayBuffer]');
  assert.ok(s.byteLength >= 10);
  // a view over it is an ordinary typed array
  const a = new Int32Array(osBuffer(4 * 1000), 0, 1000);
  a[999] = -7;
  assert.equal(a[999], -7);
  assert.equal(a.length, 1000);
});

test('loading never detaches an ArrayBuffer (V8 would then check every typed-array access in the process)', (t) => {
  // Growing a WebAssembly memory detaches its old buffer, which invalidates V8's
  // ArrayBufferDetaching protector: the whole 10 M-packet bench ran ~15 % slower (measured).
  // (enough connections and addresses that every load-time table grows a few times)
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-detach-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.pcap');
  generateShortConns(big, 20_000);
  // the UI's way: tables from the OS, both workers
  const script = `const m = await import(${JSON.stringify(new URL('../src/flows/memory.js', import.meta.url).href)});
    const d = await import(${JSON.stringify(new URL('../src/flows/dataset.js', import.meta.url).href)});
    m.mapLoadTablesFromOs();
    const ds = await d.loadDataset(${JSON.stringify([big, fixture('demo/asa.log')])}, { worker: 'always' });
    console.log('connections', ds.conns.count);`;
  // (a file, not -e: workers inherit node's flags, and --input-type fails in a worker)
  const main = join(dir, 'load.mjs');
  writeFileSync(main, script);
  const r = spawnSync(process.execPath, ['--trace-protector-invalidation', main], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /connections [1-9]\d{4,}/, `tens of thousands of connections were loaded: ${r.stdout.slice(0, 300)}`);
  assert.doesNotMatch(r.stdout + r.stderr, /ArrayBufferDetaching/);
});
