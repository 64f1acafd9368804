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

/**
 * Word-wrap to lines of at most w cells: breaks at spaces (the spaces at a break are dropped, the
 * others kept as they are, as in a log line), a word longer than a line is split (never cut off
 * with `~`); continuation lines start with `indent`. Always at least one line.
 */
export function wrap(s: string, w: number, indent = ''): string[] {
  const width = Math.max(1, w);
  const ind = [...indent].length < width ? [...indent] : [];
  const out: string[] = [];
  let line: string[] = [];
  let fresh = true; // nothing but the indent on the line yet
  const push = (): void => {
    out.push(line.join(''));
    line = [...ind];
    fresh = true;
  };
  // each word with the spaces before it
  const re = /( *)([^ ]+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    let word = [...m[2]!];
    const gap = fresh ? 0 : m[1]!.length;
    if (line.length + gap + word.length <= width) {
      for (let k = 0; k < gap; k++) line.push(' ');
      line.push(...word);
      fresh = false;
      continue;
    }
    if (!fresh) push();
    while (line.length + word.length > width) {
      const room = width - line.length;
      line.push(...word.slice(0, room));
      word = word.slice(room);
      push();
    }
    line.push(...word);
    fresh = word.length === 0 && fresh;
  }
  if (!fresh) out.push(line.join(''));
  return out.length ? out : [''];
}
