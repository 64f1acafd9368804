/**
 * The connection list: one row per shown connection (only the visible window is rendered), the
 * filter bar, the quick-filter menu, a legend of the anomaly codes on screen and the status bar.
 * Takes plain props; the filter/sort/mark state comes in as a ConnView (use-conn-view.ts).
 */
import { Box } from 'ink';
import { useState, type ReactElement } from 'react';
import type { Dataset } from '../../flows/dataset.js';
import type { ConnView } from '../hooks/use-conn-view.js';
import type { LoadState } from '../hooks/use-dataset.js';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import { keysOf } from '../keys.js';
import type { Theme } from '../theme.js';
import { FilterBar } from '../components/FilterBar.js';
import { Line } from '../components/Line.js';
import { Lines, type Selected } from '../components/Lines.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { StatusBar } from '../components/StatusBar.js';
import { completeAtCursor, composeClause, editLine, quickItems, type LineState } from '../view/filter-edit.js';
import { anomalyLegend, anyLoss, cellText, headerText, layoutColumns } from '../view/list.js';
import { clampNav, jumpNav, moveNav, type Nav } from '../view/nav.js';
import { fit } from '../view/text.js';

export interface ConnListProps {
  ds: Dataset | undefined;
  view: ConnView;
  width: number;
  height: number;
  theme: Theme;
  /** cursor and scroll offset (kept by the parent so that they survive opening a connection) */
  nav: Nav;
  onNav: (n: Nav) => void;
  load?: LoadState;
  /** a line about the inputs (demo fallback, skipped files), shown in the title */
  note?: string;
  onOpen: (conn: number) => void;
  onExport: () => void;
  onSummary: () => void;
  onFindings: () => void;
  onHelp: () => void;
  onQuit: () => void;
  /** a live run: its figures for the status bar, and the pause key */
  liveStatus?: string;
  onPause?: () => void;
}

type Mode = 'list' | 'filter' | 'menu';

const ITEMS = quickItems();

export function ConnList(props: ConnListProps) {
  const { ds, view, width, height, theme } = props;
  const [mode, setMode] = useState<Mode>('list');
  const [line, setLine] = useState<LineState>({ text: view.draft, pos: view.draft.length });
  const [menuNav, setMenuNav] = useState<Nav>({ cursor: 0, offset: 0 });

  const count = view.order.length;
  // fixed lines: title, header, filter bar (+ error), legend, status
  const chrome = 5 + (view.error !== undefined ? 1 : 0);
  const rowsH = Math.max(1, height - chrome);
  const nav = clampNav(props.nav, count, rowsH);
  const cols = layoutColumns(width, { fw: (ds?.logs.length ?? 0) > 0, vantage: (ds?.files.length ?? 0) > 1, lost: anyLoss(ds) });

  // what the handler reads and writes, so that every key of a burst sees the one before
  const live = useLive({ mode, line, menuNav, nav });
  const setModeL = (m: Mode): void => {
    live.current.mode = m;
    setMode(m);
  };
  const setLineL = (l: LineState): void => {
    live.current.line = l;
    setLine(l);
  };
  const setNavL = (n: Nav): void => {
    live.current.nav = n;
    props.onNav(n);
  };
  const setMenuNavL = (n: Nav): void => {
    live.current.menuNav = n;
    setMenuNav(n);
  };
  const openFilter = (text: string): void => {
    setLineL({ text, pos: text.length });
    setModeL('filter');
  };

  useKeys(mode, (token, action) => {
    const { mode, line, menuNav, nav } = live.current;
    if (mode === 'filter') {
      if (action === 'accept') {
        // the filter already in force need not run again (a full scan at 1 M rows)
        if (line.text !== view.applied || view.pending || view.error) view.setFilter(line.text, true);
        setModeL('list');
        return;
      }
      if (action === 'cancel') {
        setModeL('list');
        return;
      }
      const next = action === 'nextField' ? completeAtCursor(line) : editLine(line, token);
      if (next && next !== line) {
        setLineL(next);
        if (next.text !== line.text) view.setFilter(next.text);
      }
      return;
    }
    if (mode === 'menu') {
      const item = ITEMS.find((it) => it.key === token);
      const pick = item ?? (action === 'open' ? ITEMS[menuNav.cursor] : undefined);
      if (pick) {
        const text = composeClause(view.draft, pick.clause);
        view.setFilter(text, true);
        openFilter(text);
        return;
      }
      if (action === 'cancel' || token === 'escape') setModeL('list');
      else if (action) setMenuNavL(moveNav(menuNav, action, ITEMS.length, rowsH));
      return;
    }
    switch (action) {
      case 'quit': return props.onQuit();
      case 'help': return props.onHelp();
      case 'filter': return openFilter(view.draft);
      case 'quickFilter': return setModeL('menu');
      case 'clearFilter':
        if (view.draft !== '' || view.applied !== '') {
          view.setFilter('', true);
          setLineL({ text: '', pos: 0 });
        }
        return;
      case 'sort': return view.cycleSort();
      case 'sortReverse': return view.reverseSort();
      case 'mark': {
        const i = view.order[nav.cursor];
        if (i !== undefined) {
          view.toggleMark(i);
          setNavL(jumpNav(nav, nav.cursor + 1, count, rowsH));
        }
        return;
      }
      case 'open': {
        const i = view.order[nav.cursor];
        if (i !== undefined) props.onOpen(i);
        return;
      }
      case 'export': return props.onExport();
      case 'summary': return props.onSummary();
      case 'findings': return props.onFindings();
      case 'pause': return props.onPause?.();
      default:
        if (action) {
          const n = moveNav(nav, action, count, rowsH);
          if (n !== nav) setNavL(n);
        }
    }
  });

  const title = (): ReactElement => {
    if (props.load && !props.load.done) return <ProgressBar progress={props.load.progress} elapsed={props.load.elapsed} width={width} theme={theme} />;
    if (props.load?.error) return <Line text={fit(`${theme.g.err} ${props.load.error}`, width)} color={theme.error} />;
    const files = ds ? [...ds.files.map((f) => f.name), ...ds.logs.map((l) => l.name)].join(' ') : '';
    const issues = ds && ds.issues.length ? `  ${ds.issues.length} input issue(s)` : '';
    return <Line text={fit(`rsttui  ${files}${issues}${props.note ? '  ' + props.note : ''}`, width)} bold color={theme.accent} />;
  };

  // the rows unselected, and the selected one (drawn over them: see Lines)
  let rowText: (k: number) => string = () => '';
  let rowCount = 0;
  let first = 0;
  let selected: Selected | undefined;
  let legendMask = 0;
  if (mode === 'menu') {
    const mn = clampNav(menuNav, ITEMS.length, rowsH);
    const text = (k: number, marker: string): string => {
      const it = ITEMS[k]!;
      return fit(`${marker} ${it.key}  ${it.clause.padEnd(26)} ${it.label}`, width);
    };
    rowText = (k) => text(k, ' ');
    rowCount = ITEMS.length;
    first = mn.offset;
    selected = { row: mn.cursor, text: text(mn.cursor, theme.g.sel), inverse: theme.inverse };
  } else if (ds) {
    const cells = (k: number): string => {
      const i = view.order[k]!;
      return `${view.marks[i] ? theme.g.mark : ' '}` + cols.map((c) => cellText(ds, i, c)).join(' ');
    };
    rowText = (k) => fit(' ' + cells(k), width);
    rowCount = count;
    first = nav.offset;
    for (let k = nav.offset; k < Math.min(count, nav.offset + rowsH); k++) legendMask |= ds.conns.anomalies[view.order[k]!]!;
    if (count > 0) selected = { row: nav.cursor, text: fit(theme.g.sel + cells(nav.cursor), width), inverse: theme.inverse };
  }

  const sortName = `${view.sort}${view.reverse ? theme.g.down : theme.g.up}`;
  const counts = `${count}/${view.total} shown${view.markCount ? `, ${view.markCount} marked` : ''}, sort ${sortName}`;
  const a = theme.ascii;
  const hints =
    mode === 'filter'
      ? 'Enter apply  Esc close  Tab complete field  (filter applies as you type)'
      : mode === 'menu'
        ? 'key or Enter: add to the filter  Esc close'
        : props.onPause
          ? `p:pause ${keysOf('filter', 'list', a)}:filter f:quick s:sort e:export t:summary F:findings ?:help q:quit`
          : `${keysOf('filter', 'list', a)}:filter f:quick s:sort e:export t:summary F:findings Space:mark ?:help q:quit`;
  const legend = mode === 'menu' ? 'quick filters: the clause is added to the filter bar, where you can edit it' : legendMask ? anomalyLegend(legendMask) : 'anomaly codes: ? for the legend';

  return (
    <Box flexDirection="column" width={width}>
      {title()}
      <Line text={fit('  ' + (mode === 'menu' ? 'key clause                      meaning' : headerText(cols)), width)} bold />
      <Lines rowText={rowText} count={rowCount} first={first} height={rowsH} width={width} selected={selected} empty={ds && count === 0 ? '  no connection matches the filter' : ''} />
      <FilterBar editing={mode === 'filter'} draft={mode === 'filter' ? line.text : view.draft} pos={line.pos} applied={view.applied} error={view.error} pending={view.pending} counts={counts} width={width} theme={theme} />
      <Line text={fit(legend, width)} dim={theme.dim} />
      <StatusBar left={mode === 'filter' ? counts : (props.liveStatus ?? '')} hints={hints} width={width} theme={theme} />
    </Box>
  );
}
