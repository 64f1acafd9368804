/** Summary of the shown connections; Enter on a line with a filter clause applies it to the list. */
import { Box } from 'ink';
import { useMemo, useState, type ReactElement } from 'react';
import type { Dataset } from '../../flows/dataset.js';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import type { Theme } from '../theme.js';
import { Line } from '../components/Line.js';
import { StatusBar } from '../components/StatusBar.js';
import { summaryLines } from '../view/summary.js';
import { clampNav, moveNav, type Nav } from '../view/nav.js';
import { fit } from '../view/text.js';

export interface SummaryProps {
  ds: Dataset;
  shown: Uint32Array;
  width: number;
  height: number;
  theme: Theme;
  onFilter: (clause: string) => void;
  onBack: () => void;
  onHelp: () => void;
  onQuit: () => void;
}

export function Summary({ ds, shown, width, height, theme, onFilter, onBack, onHelp, onQuit }: SummaryProps) {
  const lines = useMemo(() => summaryLines(ds, shown, width, theme.g.spark), [ds, shown, width, theme]);
  const h = Math.max(1, height - 1);
  const first = Math.max(0, lines.findIndex((l) => l.clause !== undefined));
  const [navState, setNav] = useState<Nav>({ cursor: first, offset: 0 });
  const nav = clampNav(navState, lines.length, h);
  const live = useLive(nav);
  const setNavL = (n: Nav): void => {
    live.current = n;
    setNav(n);
  };
  useKeys('summary', (_t, action) => {
    const nav = live.current;
    if (action === 'back') return onBack();
    if (action === 'quit') return onQuit();
    if (action === 'help') return onHelp();
    if (action === 'open') {
      const c = lines[nav.cursor]?.clause;
      if (c) onFilter(c);
      return;
    }
    if (action) setNavL(moveNav(nav, action, lines.length, h));
  });
  const out: ReactElement[] = [];
  for (let k = nav.offset; k < Math.min(lines.length, nav.offset + h); k++) {
    const l = lines[k]!;
    const sel = k === nav.cursor;
    out.push(<Line key={k} text={fit(`${sel ? theme.g.sel : ' '} ${l.text}`, width)} bold={l.head ?? false} inverse={sel && theme.inverse} />);
  }
  while (out.length < h) out.push(<Line key={`p${out.length}`} text="" />);
  const c = lines[nav.cursor]?.clause;
  return (
    <Box flexDirection="column" width={width}>
      {out}
      <StatusBar left="summary" hints={c ? `Enter: filter ${c}  Esc back  q quit` : 'j/k move  Enter on a line filters the list  Esc back'} width={width} theme={theme} />
    </Box>
  );
}
