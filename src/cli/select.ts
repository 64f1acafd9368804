/** Which connections a subcommand prints: all, or those matching --filter. */
import type { Dataset } from '../flows/dataset.js';
import { AllRows } from '../model.js';
import { datasetTarget } from '../flows/filter-target.js';
import { emptyTarget } from '../filter/target.js';
import { compileFilter, formatFilterError, matchingRows, parseFilter, type FilterError } from '../filter/index.js';
import type { Parsed } from './main.js';

/** The --filter expression given, or undefined for none (every connection). */
export function filterOf(p: Parsed): string | undefined {
  const expr = p.values.filter as string | undefined;
  return expr === undefined || expr.trim() === '' ? undefined : expr;
}

function reportFilterError(expr: string, e: FilterError): number {
  process.stderr.write(`rsttui: ${formatFilterError(e)}\n  ${expr}\n  ${' '.repeat(Math.max(0, e.col - 1))}^\n`);
  return 2;
}

/**
 * Before loading: exit status 2, after printing the error, when --filter does not parse (its
 * syntax, or an unknown field) or names a value no input could have (`teardown == closed`, a
 * port over 65535): a typo should not cost the load of a day's log first. Vantage names are the
 * inputs' own: they are checked once the inputs are loaded, by selectConns.
 */
export function filterSyntaxError(p: Parsed): number | undefined {
  const expr = filterOf(p);
  if (expr === undefined) return undefined;
  const r = parseFilter(expr);
  if (!r.ok) return reportFilterError(expr, r.error);
  const c = compileFilter(expr, emptyTarget());
  return c.ok || /^unknown vantage /.test(c.error.message) ? undefined : reportFilterError(expr, c.error);
}

/** Connection indices to print, or an exit status (2) after printing the filter's error. */
export function selectConns(ds: Dataset, p: Parsed): Iterable<number> | number {
  const expr = filterOf(p);
  const n = ds.conns.count;
  if (expr === undefined) return new AllRows(n);
  const f = compileFilter(expr, datasetTarget(ds));
  if (!f.ok) return reportFilterError(expr, f.error);
  return matchingRows(n, f.test);
}
