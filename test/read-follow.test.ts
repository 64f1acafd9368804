/**
 * follow(): tail -F with a real writer in this process: appends in steps, a file that appears
 * late, rotation (rename + new file, with the old file still written through its descriptor),
 * truncation, start at the end, abort, and the directory watch waking it before the poll would.
 * Every test checks that the bytes read are the bytes written, each once and in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdtempSync, openSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { follow, type FollowNotice, type FollowOptions } from '../src/read/follow.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs follow() in the background, collecting its bytes and notices. */
function reader(path: string, opts: FollowOptions = {}) {
  const parts: Buffer[] = [];
  const notices: FollowNotice[] = [];
  let total = 0;
  let maxChunk = 0;
  let finish!: () => void;
  const drain = new Promise<void>((r) => (finish = r));
  const done = (async () => {
    for await (const c of follow(path, { pollMs: 20, drainOn: drain, onNotice: (n) => notices.push(n), ...opts })) {
      parts.push(Buffer.from(c));
      total += c.length;
      maxChunk = Math.max(maxChunk, c.length);
    }
  })();
  return {
    notices,
    bytes: () => Buffer.concat(parts),
    total: () => total,
    maxChunk: () => maxChunk,
    /** wait until n bytes have been read in all */
    async upTo(n: number, ms = 10_000) {
      const end = Date.now() + ms;
      while (total < n) {
        if (Date.now() > end) throw new Error(`read ${total} of ${n} bytes`);
        await sleep(5);
      }
    },
    async noticeOf(kind: FollowNotice['kind'], ms = 10_000) {
      const end = Date.now() + ms;
      while (!notices.some((n) => n.kind === kind)) {
        if (Date.now() > end) throw new Error(`no ${kind} notice: ${JSON.stringify(notices)}`);
        await sleep(5);
      }
    },
    /** the writer is done: read what is left and end */
    async end() {
      finish();
      await done;
      return Buffer.concat(parts);
    },
  };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'rsttui-follow-'));

test('follow: waits for the file, then reads appends in steps, each byte once and in order', async () => {
  // (several rounds: the last pieces are written just before the writer says it is done, which once
  // raced with the follower's look at the file and lost them, in about one round of six)
  for (let round = 0; round < 12; round++) {
    const dir = tmp();
    try {
      const path = join(dir, 'growing.log');
      const r = reader(path);
      await r.noticeOf('waiting');
      const written: Buffer[] = [];
      for (let i = 0; i < 60; i++) {
        const b = randomBytes(1 + ((i * 7919) % 3000));
        appendFileSync(path, b);
        written.push(b);
        if (i % 3 === 0) await sleep(i % 2 ? 1 : 15);
      }
      const got = await r.end();
      assert.ok(got.equals(Buffer.concat(written)), `round ${round}: read ${got.length} bytes of ${Buffer.concat(written).length}`);
      assert.deepEqual(r.notices.map((n) => n.kind), ['waiting', 'opened']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('follow: rotation (rename, the writer still appending to the old file, then a new file): old drained, new from its start', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'fw.log');
    const expect: Buffer[] = [];
    const put = (fd: number, s: string) => {
      writeSync(fd, s);
      expect.push(Buffer.from(s));
    };
    let fd = openSync(path, 'a');
    put(fd, 'first file line 1\n');
    const r = reader(path);
    await r.upTo(expect.join('').length);
    for (let round = 0; round < 3; round++) {
      put(fd, `round ${round}: before the rename\n`);
      renameSync(path, `${path}.${round}`);
      await sleep(40); // (the follower looks while PATH names nothing)
      put(fd, `round ${round}: written to the renamed file\n`); // a writer that has not reopened yet
      const old = fd;
      fd = openSync(path, 'a');
      put(fd, `round ${round}: the new file\n`);
      closeSync(old);
      await r.upTo(Buffer.concat(expect).length);
    }
    put(fd, 'last line\n');
    closeSync(fd);
    const got = await r.end();
    assert.equal(got.toString(), Buffer.concat(expect).toString());
    assert.equal(r.notices.filter((n) => n.kind === 'rotated').length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow: truncation starts again from 0, with a notice', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'cap.log');
    writeFileSync(path, 'a'.repeat(5000));
    const r = reader(path);
    await r.upTo(5000);
    truncateSync(path, 0);
    await r.noticeOf('truncated');
    appendFileSync(path, 'after truncation\n');
    const got = await r.end();
    assert.equal(got.toString(), 'a'.repeat(5000) + 'after truncation\n');
    assert.match(r.notices.find((n) => n.kind === 'truncated')!.message, /truncated: reading it again from the start/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow: fromStart false skips what the file held at first, not what comes after', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'tail.log');
    writeFileSync(path, 'old line\n');
    const r = reader(path, { fromStart: false });
    await sleep(60);
    appendFileSync(path, 'new line\n');
    assert.equal((await r.end()).toString(), 'new line\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow: the directory watch wakes it long before the poll', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'w.log');
    writeFileSync(path, '');
    const r = reader(path, { pollMs: 60_000 });
    await sleep(50);
    const t0 = Date.now();
    appendFileSync(path, 'x\n');
    await r.upTo(2, 5_000);
    assert.ok(Date.now() - t0 < 5_000);
    // end: the drain promise also wakes it (no 60 s wait)
    assert.equal((await r.end()).toString(), 'x\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow: an abort ends the iteration while it waits', async () => {
  const dir = tmp();
  try {
    const ac = new AbortController();
    const it = follow(join(dir, 'never'), { pollMs: 60_000, signal: ac.signal });
    const next = it.next();
    setTimeout(() => ac.abort(), 30);
    assert.deepEqual(await next, { value: undefined, done: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow: 16 MiB written in uneven pieces arrive whole, in chunks no larger than asked', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'big.bin');
    const h = createHash('sha256');
    const r = reader(path, { chunkBytes: 256 * 1024 });
    let n = 0;
    for (let i = 0; n < 16 << 20; i++) {
      const b = randomBytes(1000 + ((i * 104729) % 300_000));
      appendFileSync(path, b);
      h.update(b);
      n += b.length;
      if (i % 8 === 0) await sleep(0);
    }
    const got = await r.end();
    assert.equal(got.length, n);
    assert.equal(createHash('sha256').update(got).digest('hex'), h.digest('hex'));
    assert.ok(r.maxChunk() <= 256 * 1024, `largest chunk ${r.maxChunk()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
