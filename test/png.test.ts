/** The test PNG reader (png.ts) against images encoded here with each scanline filter, RGB and RGBA. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { colorStats, countColor, readPng } from './png.js';

function chunk(type: string, data: Uint8Array): Buffer {
  const b = Buffer.alloc(12 + data.length);
  b.writeUInt32BE(data.length, 0);
  b.write(type, 4, 'latin1');
  Buffer.from(data).copy(b, 8);
  return b; // (the reader does not check CRCs)
}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** Encode `px` (bpp bytes a pixel), row y with filter filters[y % filters.length]. */
function encode(width: number, height: number, bpp: 3 | 4, px: Uint8Array, filters: number[]): Buffer {
  const stride = width * bpp;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = filters[y % filters.length]!;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const v = px[y * stride + x]!;
      const a = x >= bpp ? px[y * stride + x - bpp]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp]! : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]!;
      raw[y * (stride + 1) + 1 + x] = (v - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = bpp === 4 ? 6 : 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

test('every filter type decodes to the pixels encoded, RGB and RGBA', () => {
  const width = 7, height = 10;
  for (const bpp of [3, 4] as const) {
    const px = new Uint8Array(width * height * bpp);
    let s = 12345;
    for (let i = 0; i < px.length; i++) px[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    const img = readPng(encode(width, height, bpp, px, [0, 1, 2, 3, 4]));
    assert.equal(img.width, width);
    assert.equal(img.height, height);
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < 3; k++) assert.equal(img.rgba[p * 4 + k], px[p * bpp + k], `pixel ${p} channel ${k} (bpp ${bpp})`);
      assert.equal(img.rgba[p * 4 + 3], bpp === 4 ? px[p * bpp + 3] : 255);
    }
  }
});

test('colour counts', () => {
  const px = new Uint8Array(4 * 2 * 3).fill(255);
  px.set([0xd6, 0x27, 0x28], 0);
  px.set([0xd6, 0x27, 0x28], 3 * 5);
  const img = readPng(encode(4, 2, 3, px, [4]));
  assert.equal(countColor(img, '#d62728'), 2);
  assert.equal(countColor(img, '#d62728', 1), 1);
  assert.deepEqual(colorStats(img), { distinct: 2, nonWhite: 2 });
  assert.throws(() => readPng(Buffer.from('not a png')), /not a PNG/);
});
