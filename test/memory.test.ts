/** Buffers mapped from the OS for the load-time tables (src/flows/memory.ts). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../bench/gen.js';
import { osBuffer } from '../src/flows/memory.js';
import { BIN, fixture } from './helpers.js';

test('osBuffer: zeroed, at least the size asked, shared when asked', () => {
  const b = osBuffer(100_000);
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
  generate(big, { packets: 60_000, concurrent: 300, seed: 3 });
  const r = spawnSync(process.execPath, ['--trace-protector-invalidation', BIN, 'flows', '--format', 'ndjson', big, fixture('demo/asa.log')],
    { encoding: 'utf8', env: { ...process.env, RSTTUI_WORKER: '1' }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('"teardown"'), 'the flows were written');
  assert.doesNotMatch(r.stdout + r.stderr, /ArrayBufferDetaching/);
});
