/**
 * Keys are data: this table drives both dispatch (`actionFor`) and the help screen (`helpRows`),
 * in the manner of sngrep's key bindings. A key is a token: a printable character (`j`, `G`,
 * `/`) or a name (`up`, `pagedown`, `enter`, `escape`, `backspace`, `space`, `ctrl-d`).
 */

export const SCREENS = ['list', 'filter', 'menu', 'timeline', 'detail', 'summary', 'findings', 'export', 'help'] as const;
export type Screen = (typeof SCREENS)[number];

export const ACTIONS = [
  'up', 'down', 'pageUp', 'pageDown', 'halfDown', 'halfUp', 'top', 'bottom',
  'open', 'back', 'quit', 'help', 'layout',
  'filter', 'quickFilter', 'clearFilter', 'sort', 'sortReverse', 'mark', 'export', 'summary', 'findings',
  'nextAnomaly', 'prevAnomaly', 'nextField', 'accept', 'cancel', 'pause',
] as const;
export type Action = (typeof ACTIONS)[number];

export interface Binding {
  action: Action;
  keys: readonly string[];
  /** what it does, for the help screen */
  help: string;
  /** screens where it applies */
  on: readonly Screen[];
}

const NAV: readonly Screen[] = ['list', 'timeline', 'detail', 'summary', 'findings', 'help', 'menu'];
const VIEWS: readonly Screen[] = ['list', 'timeline', 'detail', 'summary', 'findings', 'help'];

export const KEYS: readonly Binding[] = [
  { action: 'down', keys: ['down', 'j'], help: 'next row', on: NAV },
  { action: 'up', keys: ['up', 'k'], help: 'previous row', on: NAV },
  { action: 'pageDown', keys: ['pagedown'], help: 'page down', on: NAV },
  { action: 'pageUp', keys: ['pageup'], help: 'page up', on: NAV },
  { action: 'halfDown', keys: ['ctrl-d'], help: 'half a page down', on: NAV },
  { action: 'halfUp', keys: ['ctrl-u'], help: 'half a page up', on: NAV },
  { action: 'top', keys: ['g', 'home'], help: 'first row', on: NAV },
  { action: 'bottom', keys: ['G', 'end'], help: 'last row', on: NAV },
  { action: 'open', keys: ['enter'], help: 'open: connection -> timeline -> packet; summary line, finding -> filter the list', on: ['list', 'timeline', 'summary', 'findings', 'menu'] },
  { action: 'back', keys: ['escape', 'backspace', 'left'], help: 'back to the previous screen', on: ['timeline', 'detail', 'summary', 'findings', 'help'] },
  { action: 'clearFilter', keys: ['escape'], help: 'clear the filter', on: ['list'] },
  { action: 'quit', keys: ['q', 'ctrl-c'], help: 'quit', on: VIEWS },
  { action: 'help', keys: ['?'], help: 'this help', on: ['list', 'timeline', 'detail', 'summary', 'findings'] },
  { action: 'filter', keys: ['/'], help: 'edit the filter (narrows as you type)', on: ['list'] },
  { action: 'quickFilter', keys: ['f'], help: 'quick filters: anomaly classes, data lost, flags', on: ['list'] },
  { action: 'sort', keys: ['s'], help: 'sort by the next column', on: ['list'] },
  { action: 'sortReverse', keys: ['S'], help: 'reverse the sort', on: ['list'] },
  { action: 'mark', keys: ['space'], help: 'mark / unmark the row for export', on: ['list'] },
  { action: 'export', keys: ['e'], help: 'export the shown (or marked) connections', on: ['list', 'timeline'] },
  { action: 'summary', keys: ['t'], help: 'summary: classes, anomalies, top talkers, RST sparkline', on: ['list'] },
  { action: 'findings', keys: ['F'], help: 'findings: the connections grouped by pattern, most severe first', on: ['list'] },
  { action: 'pause', keys: ['p'], help: 'live: pause / resume the list (reading goes on)', on: ['list'] },
  { action: 'nextAnomaly', keys: ['n'], help: 'next anomaly packet', on: ['timeline'] },
  { action: 'prevAnomaly', keys: ['N'], help: 'previous anomaly packet', on: ['timeline'] },
  { action: 'layout', keys: ['w'], help: 'one line a packet (details under the ladder) / two lines a packet, for wide terminals', on: ['timeline'] },
  { action: 'accept', keys: ['enter'], help: 'apply / write', on: ['filter', 'export'] },
  { action: 'cancel', keys: ['escape'], help: 'close (the filter keeps what you typed)', on: ['filter', 'export', 'menu'] },
  { action: 'nextField', keys: ['tab'], help: 'filter: complete a field name; export: next format', on: ['filter', 'export'] },
];

/** The action a key token means on a screen, if any. */
export function actionFor(screen: Screen, token: string): Action | undefined {
  for (const b of KEYS) if (b.on.includes(screen) && b.keys.includes(token)) return b.action;
  return undefined;
}

/** The keys of an action on a screen, for hints (`/`, `↑/k`). */
export function keysOf(action: Action, screen: Screen, ascii = false): string {
  const b = KEYS.find((x) => x.action === action && x.on.includes(screen));
  return b ? b.keys.map((k) => keyLabel(k, ascii)).join('/') : '';
}

const LABELS: Record<string, [string, string]> = {
  up: ['↑', 'Up'],
  down: ['↓', 'Down'],
  left: ['←', 'Left'],
  right: ['→', 'Right'],
  pagedown: ['PgDn', 'PgDn'],
  pageup: ['PgUp', 'PgUp'],
  enter: ['Enter', 'Enter'],
  escape: ['Esc', 'Esc'],
  backspace: ['Backspace', 'Backspace'],
  space: ['Space', 'Space'],
  tab: ['Tab', 'Tab'],
  home: ['Home', 'Home'],
  end: ['End', 'End'],
  'ctrl-d': ['Ctrl-d', 'Ctrl-d'],
  'ctrl-u': ['Ctrl-u', 'Ctrl-u'],
  'ctrl-c': ['Ctrl-c', 'Ctrl-c'],
};

export function keyLabel(token: string, ascii = false): string {
  const l = LABELS[token];
  return l ? l[ascii ? 1 : 0] : token;
}

/** Help lines: one per binding, grouped by screen, generated from KEYS. */
export function helpRows(ascii = false): { screen: Screen; keys: string; help: string }[] {
  const out: { screen: Screen; keys: string; help: string }[] = [];
  for (const s of SCREENS) {
    for (const b of KEYS) if (b.on.includes(s)) out.push({ screen: s, keys: b.keys.map((k) => keyLabel(k, ascii)).join(' '), help: b.help });
  }
  return out;
}

/** The part of Ink's Key object the tokenizer reads (kept structural so this file needs no Ink). */
export interface InkKey {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageDown: boolean;
  pageUp: boolean;
  home?: boolean;
  end?: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
}

/** One raw character -> token (control characters get names; others are themselves). */
function charToken(ch: string): string | undefined {
  const c = ch.codePointAt(0)!;
  if (ch === '\r' || ch === '\n') return 'enter';
  if (ch === '\x7f' || ch === '\b') return 'backspace';
  if (ch === '\t') return 'tab';
  if (ch === ' ') return 'space';
  if (ch === '\x1b') return 'escape';
  if (c < 0x20) return 'ctrl-' + String.fromCharCode(c + 0x60);
  if (c >= 0x80 && c < 0xa0) return undefined; // C1 controls: never a key
  return ch;
}

/**
 * Ink's input event -> key tokens. Ink hands a run of typed characters (a fast typist, a paste,
 * tmux send-keys) over as ONE string, e.g. `jjk` or `late\r`: split it so every key counts.
 */
export function tokens(input: string, key: InkKey): string[] {
  if (key.upArrow) return ['up'];
  if (key.downArrow) return ['down'];
  if (key.leftArrow) return ['left'];
  if (key.rightArrow) return ['right'];
  if (key.pageDown) return ['pagedown'];
  if (key.pageUp) return ['pageup'];
  if (key.home) return ['home'];
  if (key.end) return ['end'];
  if (input.length <= 1) {
    if (key.return) return ['enter'];
    if (key.escape) return ['escape'];
    if (key.tab) return ['tab'];
    if (key.backspace || key.delete) return ['backspace'];
    if (key.ctrl && input.length === 1 && /[a-z]/.test(input)) return ['ctrl-' + input];
  }
  const out: string[] = [];
  for (const ch of input) {
    const t = charToken(ch);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** A token that types a character into a text field (the filter bar, the export path). */
export function isPrintable(token: string): boolean {
  return [...token].length === 1 || token === 'space';
}
