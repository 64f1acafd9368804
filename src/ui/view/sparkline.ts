/** A sparkline: one glyph per bucket, scaled to the largest bucket; zero stays the lowest glyph or a space. */
export function sparkline(counts: readonly number[], levels: readonly string[]): string {
  const max = Math.max(0, ...counts);
  if (max === 0) return ' '.repeat(counts.length);
  const top = levels.length - 1;
  return counts.map((n) => (n === 0 ? ' ' : levels[Math.max(0, Math.min(top, Math.ceil((n / max) * top)))]!)).join('');
}

/** Counts of `times` in `buckets` equal buckets from t0 spanning `span` seconds. */
export function bucketize(times: Iterable<number>, t0: number, span: number, buckets: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  const w = span > 0 ? span / buckets : 1;
  for (const t of times) {
    if (!Number.isFinite(t)) continue;
    out[Math.max(0, Math.min(buckets - 1, Math.floor((t - t0) / w)))]!++;
  }
  return out;
}
