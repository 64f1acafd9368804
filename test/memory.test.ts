/** Buffers mapped from the OS for the load-time tables (src/flows/memory.ts). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { GrowingBuffer, osBuffer } from '../src/flows/memory.js';

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

test('GrowingBuffer keeps its contents as it grows, and zeroes the new part', () => {
  const g = new GrowingBuffer(64);
  new Uint32Array(g.buffer, 0, 16).fill(0xdeadbeef);
  const before = g.buffer;
  const grown = g.grow(3 << 20);
  assert.equal(grown, g.buffer);
  assert.ok(grown.byteLength >= 3 << 20);
  const v = new Uint32Array(grown);
  for (let i = 0; i < 16; i++) assert.equal(v[i], 0xdeadbeef);
  assert.ok(v.subarray(16).every((x) => x === 0));
  // (in place: the old buffer is detached rather than left behind)
  assert.equal(before.byteLength, 0);
  assert.equal(g.grow(10), grown, 'no-op when already large enough');
});
