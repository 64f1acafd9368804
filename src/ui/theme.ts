/**
 * Colors and glyphs of the UI, decided once at start. Ink ignores NO_COLOR, so every colored
 * element asks the theme instead of naming a color itself; with no color, meaning is carried by
 * text markers (`>` on the selected row, `*` on marked rows, `!` on errors) which are always drawn.
 */
export interface Glyphs {
  /** selected row */
  sel: string;
  /** marked row */
  mark: string;
  /** error marker in the filter bar */
  err: string;
  /** vertical rule of the ladder */
  vline: string;
  /** arrow shaft */
  hline: string;
  arrowR: string;
  arrowL: string;
  barFull: string;
  barEmpty: string;
  /** sparkline levels, lowest first */
  spark: readonly string[];
  /** firewall-event shaft in the ladder */
  fwLine: string;
  up: string;
  down: string;
}

export interface Theme {
  color: boolean;
  ascii: boolean;
  /** Ink color names, or undefined when color is off */
  accent: string | undefined;
  error: string | undefined;
  warn: string | undefined;
  dim: boolean;
  client: string | undefined;
  server: string | undefined;
  fw: string | undefined;
  /** selected row drawn inverse (only with color: NO_COLOR users get the `>` marker alone) */
  inverse: boolean;
  g: Glyphs;
}

const UNICODE: Glyphs = {
  sel: '>',
  mark: '*',
  err: '✗',
  vline: '│',
  hline: '─',
  arrowR: '>',
  arrowL: '<',
  barFull: '█',
  barEmpty: '░',
  spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  fwLine: '┄',
  up: '↑',
  down: '↓',
};

const ASCII: Glyphs = {
  sel: '>',
  mark: '*',
  err: '!',
  vline: '|',
  hline: '-',
  arrowR: '>',
  arrowL: '<',
  barFull: '#',
  barEmpty: '.',
  spark: ['_', '.', ':', '-', '=', '+', '*', '#'],
  fwLine: '~',
  up: '^',
  down: 'v',
};

export interface ThemeOptions {
  env?: Record<string, string | undefined>;
  /** --ascii: no box-drawing or block glyphs */
  ascii?: boolean;
}

/** The theme for an environment: NO_COLOR (any non-empty value) or TERM=dumb turn color off; TERM=dumb also means ASCII. */
export function makeTheme(opts: ThemeOptions = {}): Theme {
  const env = opts.env ?? process.env;
  const dumb = env.TERM === 'dumb';
  const color = !(env.NO_COLOR !== undefined && env.NO_COLOR !== '') && !dumb;
  const ascii = opts.ascii === true || dumb;
  const c = (name: string): string | undefined => (color ? name : undefined);
  return {
    color,
    ascii,
    accent: c('cyan'),
    error: c('red'),
    warn: c('yellow'),
    dim: color,
    client: c('green'),
    server: c('magenta'),
    fw: c('yellow'),
    inverse: color,
    g: ascii ? ASCII : UNICODE,
  };
}
