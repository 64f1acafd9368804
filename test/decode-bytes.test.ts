import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexColon, ipToString, ipv4NumToString, ipv6ToString, u16be, u16le, u32be, u32le, u8 } from '../src/decode/bytes.js';

test('reads are big/little endian, unsigned, and -1 past end or buffer', () => {
  const d = Uint8Array.of(0xff, 0xfe, 0x01, 0x80, 0x7f);
  assert.equal(u8(d, 0, 5), 255);
  assert.equal(u16be(d, 0, 5), 0xfffe);
  assert.equal(u16le(d, 0, 5), 0xfeff);
  // Top bit set: must come out positive (the `>>> 0`), not as a negative int32.
  assert.equal(u32be(d, 0, 5), 0xfffe0180);
  assert.equal(u32le(d, 0, 5), 0x8001feff);
  assert.equal(u32be(d, 1, 5), 0xfe01807f);
  // `end` bounds the read even when the buffer goes on.
  assert.equal(u32be(d, 1, 4), -1);
  assert.equal(u16be(d, 3, 4), -1);
  assert.equal(u8(d, 4, 4), -1);
  // ...and the buffer bounds it when `end` is wrong.
  assert.equal(u16le(d, 4, 100), -1);
  assert.equal(u8(d, -1, 5), -1);
});

test('IPv4 formatting from bytes and from the unsigned number agree', () => {
  const d = Uint8Array.of(0, 192, 0, 2, 255);
  assert.equal(ipToString(d, 1), '192.0.2.255');
  assert.equal(ipv4NumToString(u32be(d, 1, 5)), '192.0.2.255');
  assert.equal(ipToString(d, 2), '?');
});

function v6(groups: number[]): Uint8Array {
  const d = new Uint8Array(16);
  groups.forEach((g, i) => {
    d[2 * i] = g >> 8;
    d[2 * i + 1] = g & 0xff;
  });
  return d;
}

// Expected strings are the RFC 5952 text's own examples and rules.
test('IPv6 formatting follows RFC 5952', () => {
  assert.equal(ipv6ToString(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), 0), '2001:db8::1'); // 4.2.1 longest run
  assert.equal(ipv6ToString(v6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), 0), '2001:db8:0:1:1:1:1:1'); // 4.2.2 one zero stays
  assert.equal(ipv6ToString(v6([0x2001, 0, 0, 1, 0, 0, 0, 1]), 0), '2001:0:0:1::1'); // 4.2.3 longest wins
  assert.equal(ipv6ToString(v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), 0), '2001:db8::1:0:0:1'); // 4.2.3 first on a tie
  assert.equal(ipv6ToString(v6([0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa]), 0), '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'); // 4.3 lower case
  assert.equal(ipv6ToString(v6([0, 0, 0, 0, 0, 0, 0, 0]), 0), '::');
  assert.equal(ipv6ToString(v6([0, 0, 0, 0, 0, 0, 0, 1]), 0), '::1');
  assert.equal(ipv6ToString(v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 0), 'fe80::');
  assert.equal(ipv6ToString(v6([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]), 0), '::ffff:192.0.2.1'); // section 5
  // At an offset, and bounds-checked.
  const d = new Uint8Array(20);
  d.set(v6([0xfd98, 0, 0, 0, 0, 0, 0, 2]), 3);
  assert.equal(ipv6ToString(d, 3), 'fd98::2');
  assert.equal(ipv6ToString(d, 5), '?');
  assert.equal(ipv6ToString(d, 3, 18), '?');
});

test('hexColon prints MAC addresses with leading zeros', () => {
  assert.equal(hexColon(Uint8Array.of(2, 0x98, 0, 0, 0, 0x0a), 0, 6), '02:98:00:00:00:0a');
  assert.equal(hexColon(Uint8Array.of(1, 2), 0, 6), '?');
});
