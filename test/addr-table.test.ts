/** The address table: ids, the packed view the filters read, and the lookup index dropped after loading. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { AddrTable } from '../src/flows/addr-table.js';

const v4 = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);

test('after dropIndex, lookups rebuild it and give the same ids; the packed view has every address', () => {
  const t = new AddrTable();
  const addrs = Array.from({ length: 5000 }, (_, k) => `10.${(k >> 8) & 255}.${k & 255}.${k % 7}`);
  const ids = addrs.map((a) => t.v4IdOf(v4(a)));
  const v6 = t.idOfText('2001:db8::1')!;
  assert.equal(new Set(ids).size, addrs.length);
  t.dropIndex();
  assert.deepEqual(addrs.map((a) => t.v4IdOf(v4(a))), ids, 'same ids after the rebuild');
  assert.equal(t.idOfText('2001:db8::1'), v6);
  const fresh = t.v4IdOf(v4('192.0.2.1'));
  assert.equal(fresh, t.count - 1, 'a new address still gets the next id');
  const { bytes, len } = t.packed();
  assert.equal(len.length, t.count);
  assert.deepEqual(Array.from(bytes.subarray(ids[3]! * 16, ids[3]! * 16 + 4)), addrs[3]!.split('.').map(Number));
  assert.equal(len[v6], 16);
  assert.equal(t.text(ids[3]!), addrs[3]);
  assert.equal(t.family(v6), 6);
});

test('IPv4 and IPv6 addresses mixed read back as they went in: bytes, value, text, the packed view extended with new ones', () => {
  const t = new AddrTable();
  const texts = ['0.0.0.0', '255.255.255.255', '2001:db8::1', '128.0.0.1', 'fe80::1:2', '10.1.2.3'];
  const ids = texts.map((a) => t.idOfText(a)!);
  const first = t.packed();
  assert.equal(first.len.length, texts.length);
  const more = t.idOfText('192.0.2.77')!;
  const p = t.packed();
  assert.equal(p.len.length, texts.length + 1);
  for (const [k, id] of [...ids, more].entries()) {
    const text = k < texts.length ? texts[k]! : '192.0.2.77';
    assert.equal(t.text(id), text);
    const b = t.bytes(id);
    assert.equal(b.length, text.includes(':') ? 16 : 4);
    assert.deepEqual(Array.from(p.bytes.subarray(id * 16, id * 16 + b.length)), Array.from(b), `packed ${text}`);
    assert.equal(p.len[id], b.length);
    assert.equal(t.v4Value(id), b.length === 4 ? v4(text) : -1);
  }
});

test('reserveV4, before any address or after some, keeps every id: the same ids as a table that grew, and 0.0.0.0 among them', () => {
  const addrs = ['0.0.0.0', ...Array.from({ length: 20_000 }, (_, k) => `172.${16 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`), '255.255.255.255'];
  const grown = new AddrTable();
  const want = addrs.map((a) => grown.v4IdOf(v4(a)));
  for (const at of [0, 1, 5000]) {
    const t = new AddrTable();
    const ids = addrs.slice(0, at).map((a) => t.v4IdOf(v4(a)));
    t.reserveV4(100_000);
    ids.push(...addrs.slice(at).map((a) => t.v4IdOf(v4(a))));
    assert.deepEqual(ids, want, `reserved after ${at} addresses`);
    // (looked up again: found, not added)
    assert.deepEqual(addrs.map((a) => t.v4IdOf(v4(a))), want);
    assert.equal(t.count, addrs.length);
  }
});
