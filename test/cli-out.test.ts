/**
 * LineWriter against a slow reader: once the stream holds more than it wants, `full` says so and
 * `drained()` waits for it, so that a command writing millions of lines into a slow pipe queues
 * about one buffer, not its whole output. And `flows --format csv` into a pipe read late gives
 * every line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { LineWriter } from '../src/cli/out.js';
import { BIN, fixture } from './helpers.js';

test('LineWriter: full once a slow stream holds too much; awaiting drained() bounds what it holds', async () => {
  let taken = 0, maxHeld = 0;
  const slow = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      setTimeout(() => { taken += chunk.length; cb(); }, 2);
    },
  });
  const out = new LineWriter(slow);
  const line = 'x'.repeat(999);
  let fulls = 0;
  for (let k = 0; k < 10_000; k++) {
    out.line(line);
    maxHeld = Math.max(maxHeld, slow.writableLength);
    if (out.full) {
      fulls++;
      await out.drained();
      assert.equal(slow.writableLength, 0, 'drained() resolves once the stream has taken what it held');
    }
  }
  await out.end();
  assert.ok(fulls >= 8, `a 1 MiB buffer over a 64 KiB stream is full at each flush (${fulls})`);
  assert.ok(maxHeld <= 1 << 20, `never more than one buffer queued (${maxHeld})`);
  assert.equal(taken, 10_000 * 1000, 'every line written');
});

test('flows --format csv into a pipe read late: every row, in order', () => {
  const files = ['demo/inside.pcap', 'demo/asa.log'].map(fixture);
  const direct = spawnSync('node', [BIN, 'flows', '--format', 'csv', ...files], { encoding: 'utf8' });
  assert.equal(direct.status, 0, direct.stderr);
  const late = spawnSync('sh', ['-c', `node ${BIN} flows --format csv ${files.join(' ')} | (sleep 1; cat)`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(late.status, 0, late.stderr);
  assert.equal(late.stdout, direct.stdout);
  assert.ok(direct.stdout.split('\n').length > 200);
});
