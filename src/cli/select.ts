/** Which connections a subcommand prints: all, or those matching --filter. */
import type { Dataset } from '../flows/dataset.js';
import { datasetTarget } from '../flows/filter-target.js';
import { compileFilter, formatFilterError, matchingRows } from '../filter/index.js';
import type { Parsed } from './main.js';

/** The --filter expression given, or undefined for none (every connection). */
export function filterOf(p: Parsed): string | undefined {
  const expr = p.values.filter as string | undefined;
  return expr === undefined || expr.trim() === '' ? undefined : expr;
}

/** Connection indices to print, or an exit status (2) after printing the filter's error. */
export function selectConns(ds: Dataset, p: Parsed): Iterable<number> | number {
  const expr = filterOf(p);
  const n = ds.conns.count;
  if (expr === undefined) return { [Symbol.iterator]: function* () { for (let i = 0; i < n; i++) yield i; } };
  const f = compileFilter(expr, datasetTarget(ds));
  if (!f.ok) {
    process.stderr.write(`rsttui: ${formatFilterError(f.error)}\n  ${expr}\n  ${' '.repeat(Math.max(0, f.error.col - 1))}^\n`);
    return 2;
  }
  return matchingRows(n, f.test);
}
