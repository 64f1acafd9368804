/**
 * The ladder diagram of one connection: header (5-tuple, conn_state, history, teardown,
 * anomalies), then one line per row with the selected row in full in a pane under the ladder
 * (view/ladder-compact.ts), or, toggled with `w`, two lines per row (arrow, explanation). It opens
 * at the teardown. `n`/`N` jump between anomaly rows, Enter opens the packet under the cursor.
 */
import { Box } from 'ink';
import { useMemo, useState, type ReactElement } from 'react';
import type { Dataset } from '../../flows/dataset.js';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import { keysOf } from '../keys.js';
import type { Theme } from '../theme.js';
import { Line } from '../components/Line.js';
import { StatusBar } from '../components/StatusBar.js';
import { anomalyRows, asciiSafe, buildTimeline, ladderLine, ladderNote, ladderTitle, nextAnomaly } from '../view/ladder.js';
import {
  TIMELINE_HEADER, compactLine, compactSizes, compactTitle, fitPane, openNav, paneLines, refitNav, teardownRow, type TimelineLayout,
} from '../view/ladder-compact.js';
import { clampNav, jumpNav, moveNav, type Nav } from '../view/nav.js';
import { fit } from '../view/text.js';

export interface TimelineProps {
  ds: Dataset;
  conn: number;
  width: number;
  height: number;
  theme: Theme;
  /** the layout to open with (the app keeps the last one chosen); one line a row by default */
  layout?: TimelineLayout;
  /** told when the user switches layout */
  onLayout?: (l: TimelineLayout) => void;
  /** packet index within the connection and its packet-table row */
  onOpenPacket: (k: number, row: number) => void;
  onBack: () => void;
  onHelp: () => void;
  onExport?: () => void;
  onQuit: () => void;
}

export function Timeline({ ds, conn, width, height, theme, layout, onLayout, onOpenPacket, onBack, onHelp, onExport, onQuit }: TimelineProps) {
  const t = useMemo(() => buildTimeline(ds, conn), [ds, conn]);
  const marked = useMemo(() => anomalyRows(t), [t]);
  const [mode, setMode] = useState<TimelineLayout>(layout ?? 'one-line');
  const a = theme.ascii;
  const body = Math.max(2, height - TIMELINE_HEADER - 1);
  const count = t.rows.length;
  // the ladder's height depends on the pane's, which depends on the selected row
  const sizesAt = (cursor: number, m: TimelineLayout) => {
    if (m === 'two-line') return { ladder: Math.max(1, Math.floor(body / 2)), pane: 0, lines: [] as string[] };
    const lines = paneLines(t, cursor, width, a);
    return { ...compactSizes(body, lines.length), lines };
  };
  const [navState, setNav] = useState<Nav>(() => openNav(t, sizesAt(teardownRow(t), mode).ladder));
  const cursor = count === 0 ? 0 : Math.min(Math.max(0, navState.cursor), count - 1);
  const size = sizesAt(cursor, mode);
  const rowsShown = size.ladder;
  const nav = clampNav(navState, count, rowsShown);
  const live = useLive(nav);
  const setNavL = (n: Nav): void => {
    live.current = n;
    setNav(n);
  };
  const liveMode = useLive(mode);
  const [msg, setMsg] = useState('');

  useKeys('timeline', (_token, action) => {
    const nav = live.current;
    const mode = liveMode.current;
    switch (action) {
      case 'back': return onBack();
      case 'quit': return onQuit();
      case 'help': return onHelp();
      case 'export': return onExport?.();
      case 'layout': {
        const next: TimelineLayout = mode === 'one-line' ? 'two-line' : 'one-line';
        liveMode.current = next;
        setMode(next);
        onLayout?.(next);
        setNavL(refitNav(nav, count, sizesAt(nav.cursor, next).ladder, rowsShown));
        return;
      }
      case 'open': {
        const r = t.rows[nav.cursor];
        if (r && r.kind === 'packet') onOpenPacket(r.k, ds.primaryRows(conn)[r.k]!);
        else setMsg('a firewall event has no packet bytes');
        return;
      }
      case 'nextAnomaly':
      case 'prevAnomaly': {
        const to = nextAnomaly(t, nav.cursor, action === 'nextAnomaly' ? 1 : -1, marked);
        if (to < 0) setMsg('no anomaly in this connection');
        else {
          setMsg('');
          const h = sizesAt(to, mode).ladder;
          setNavL(refitNav(jumpNav(nav, to, count, rowsShown), count, h, rowsShown));
        }
        return;
      }
      default:
        if (action) {
          setMsg('');
          const moved = moveNav(nav, action, count, rowsShown);
          setNavL(refitNav(moved, count, sizesAt(moved.cursor, mode).ladder, rowsShown));
        }
    }
  });

  const lines: ReactElement[] = [];
  for (let r = nav.offset; r < Math.min(count, nav.offset + rowsShown); r++) {
    const row = t.rows[r]!;
    const sel = r === nav.cursor;
    let text = mode === 'one-line' ? compactLine(t, r, width, theme.g, a) : ladderLine(t, r, width, theme.g, a);
    if (sel) text = theme.g.sel + text.slice(1);
    const color = row.kind === 'fw' ? theme.fw : row.fromResp ? theme.server : theme.client;
    lines.push(<Line key={`a${r}`} text={text} color={color} inverse={sel && theme.inverse} bold={row.anomaly} />);
    if (mode === 'two-line') lines.push(<Line key={`n${r}`} text={ladderNote(t, r, width, a)} dim={theme.dim} />);
  }
  // the pane right under the ladder's last row; blank lines fill the rest
  fitPane(size.lines, size.pane).forEach((l, k) => {
    lines.push(<Line key={`p${k}`} text={fit(l, width)} bold={k === 0} color={k === 0 && theme.color ? theme.accent : undefined} />);
  });
  while (lines.length < body) lines.push(<Line key={`f${lines.length}`} text="" />);
  const left = `row ${nav.cursor + 1}/${count}${marked.length ? `  ${marked.length} anomaly row(s) marked !` : ''}${msg ? '  ' + msg : ''}`;
  const other = mode === 'one-line' ? 'two lines' : 'one line';
  const hints = `n/N next/prev anomaly  ${keysOf('layout', 'timeline', a)} ${other}  Enter packet  Esc back  e export  ? help  q quit`;
  return (
    <Box flexDirection="column" width={width}>
      {t.header.map((h, k) => <Line key={`h${k}`} text={fit(asciiSafe(h, a), width)} bold={k === 0} color={k === 2 && theme.color ? theme.warn : undefined} />)}
      <Line text={mode === 'one-line' ? compactTitle(width) : ladderTitle(t, width)} bold />
      {lines}
      <StatusBar left={left} hints={hints} width={width} theme={theme} />
    </Box>
  );
}
