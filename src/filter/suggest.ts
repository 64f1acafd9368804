/** Did-you-mean: the closest of a set of names to a mistyped word (field names, enum values). */

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n]!;
}

/** The closest of `names` to `word`, if it is close enough to be a plausible typo. */
export function closest(word: string, names: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = editDistance(w, n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  // a third of the length (at least 2) keeps `tcp.flag.reset` -> tcp.flags.reset but not `foo` -> tls
  const limit = Math.max(2, Math.floor(w.length / 3));
  if (bestD <= limit && bestD < w.length) return best;
  // `inside` for `fw-inside`: a unique name that contains the word is as good a guess
  const within = w.length >= 3 ? names.filter((n) => n.toLowerCase().includes(w)) : [];
  return within.length === 1 ? within[0] : undefined;
}
