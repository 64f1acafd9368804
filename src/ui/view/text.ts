/** Fitting text into terminal cells. Widths count code points: the UI only prints narrow glyphs. */

// (a string without surrogates has as many code points as UTF-16 units: no array of them needed)
const SURROGATE = /[\ud800-\udfff]/;

export function fit(s: string, w: number): string {
  if (w <= 0) return '';
  if (!SURROGATE.test(s)) {
    if (s.length <= w) return s + ' '.repeat(w - s.length);
    return w === 1 ? s[0]! : s.slice(0, w - 1) + '~';
  }
  const cps = [...s];
  if (cps.length <= w) return s + ' '.repeat(w - cps.length);
  return w === 1 ? cps[0]! : cps.slice(0, w - 1).join('') + '~';
}

export function fitLeft(s: string, w: number): string {
  if (w <= 0) return '';
  const cps = [...s];
  if (cps.length <= w) return ' '.repeat(w - cps.length) + s;
  return cps.slice(0, w - 1).join('') + '~';
}

/** Cut to w cells without padding. */
export function clip(s: string, w: number): string {
  const cps = [...s];
  return cps.length <= w ? s : cps.slice(0, Math.max(0, w - 1)).join('') + (w > 0 ? '~' : '');
}

export function cells(s: string): number {
  return [...s].length;
}

/** 1234567 -> 1.2M, for narrow count columns */
export function shortNum(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return (n / 1000).toFixed(n < 100_000 ? 1 : 0) + 'k';
  if (n < 1e9) return (n / 1e6).toFixed(n < 1e7 ? 1 : 0) + 'M';
  return (n / 1e9).toFixed(1) + 'G';
}

/** UTC time of day with milliseconds: `12:00:47.907` (`-` for no time, or one past a Date's ±8.64e12 s) */
export function timeOfDay(ts: number): string {
  if (!Number.isFinite(ts) || Math.abs(ts) >= 8.64e12) return '-';
  return new Date(Math.floor(ts * 1000)).toISOString().slice(11, 23);
}
