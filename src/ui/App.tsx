/**
 * The root: loads the dataset, keeps the list's filter/sort/marks and a stack of screens, and
 * routes. Every screen takes plain props; nothing else lives here.
 */
import { useApp } from 'ink';
import { useCallback, useMemo, useRef, useState } from 'react';
import { computeFindings } from '../analysis/findings.js';
import { useConnView } from './hooks/use-conn-view.js';
import { KeyRouterContext, useKeyRouter } from './hooks/use-keys.js';
import { useDataset, type Loader } from './hooks/use-dataset.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import type { Theme } from './theme.js';
import type { Nav } from './view/nav.js';
import type { TimelineLayout } from './view/ladder-compact.js';
import { composeClause } from './view/filter-edit.js';
import { ConnList } from './screens/ConnList.js';
import { Timeline } from './screens/Timeline.js';
import { PacketDetail } from './screens/PacketDetail.js';
import { Summary } from './screens/Summary.js';
import { Findings } from './screens/Findings.js';
import { needsLook } from './view/findings.js';
import { allIndices } from './view/filter-edit.js';
import { everyRow } from '../flows/live-view.js';
import { Help } from './screens/Help.js';
import { ExportDialog } from './screens/ExportDialog.js';
import { exportViaModule, type ExportFn } from './export-bridge.js';
import { useLiveFeed, type LiveFeed } from './hooks/use-live-feed.js';
import { liveStatusText } from './view/live-status.js';
import type { ConnView } from './hooks/use-conn-view.js';

type Route =
  | { name: 'list' }
  | { name: 'timeline'; conn: number }
  | { name: 'detail'; conn: number; k: number; row: number }
  | { name: 'summary' }
  | { name: 'findings' }
  | { name: 'help' }
  | { name: 'export'; indices: Uint32Array; what: 'marked' | 'shown' };

export interface AppProps {
  /** the inputs to load (a loaded dataset), or */
  load?: Loader;
  /** a live run (its views as they come; the list's selection stays on its connection as rows are added) */
  live?: LiveFeed;
  theme: Theme;
  note?: string;
  /** fixed size (tests); otherwise the terminal's, updated on resize */
  width?: number;
  height?: number;
  exportFn?: ExportFn;
  onQuit?: () => void;
}

export function App(props: AppProps) {
  useKeyRouter();
  return (
    <KeyRouterContext.Provider value={true}>
      <Screens {...props} />
    </KeyRouterContext.Provider>
  );
}

function Screens(props: AppProps) {
  const { theme } = props;
  const size = useTerminalSize();
  const width = props.width ?? size.columns;
  const height = props.height ?? size.rows;
  const app = useApp();
  const [stack, setStack] = useState<Route[]>([{ name: 'list' }]);
  const [nav, setNav] = useState<Nav>({ cursor: 0, offset: 0 });
  // the timeline's layout, as last chosen (for the session)
  const [tlLayout, setTlLayout] = useState<TimelineLayout>('one-line');
  const route = stack[stack.length - 1]!;
  // live: the views are held while paused, or while another screen than the list is open
  const [paused, setPaused] = useState(false);
  const feed = useLiveFeed(props.live, paused || route.name !== 'list');
  const loaded = useDataset(props.live ? undefined : props.load);
  const load = props.live ? { ds: feed.ds, progress: undefined, elapsed: 0, error: undefined, done: true } : loaded;
  const ds = load.ds;
  // the findings of every connection, once per load, shown first when any needs a look; live, only
  // while the Findings screen is open (its view is held then) and never pushed in front of the list
  const findingsNow = !props.live || route.name === 'findings';
  const findings = useMemo(() => (ds && findingsNow ? computeFindings(ds, ds.live ? everyRow(ds) : allIndices(ds.conns.count)) : []), [ds, findingsNow]);
  const [firstShown, setFirstShown] = useState<object | undefined>(undefined);
  if (ds && !props.live && firstShown !== ds) {
    // (set during render: the list is never drawn for a frame before the findings replace it)
    setFirstShown(ds);
    if (needsLook(findings)) setStack((s) => [...s, { name: 'findings' }]);
  }
  const view = useConnView(ds);
  const anchor = useRef<Anchor | undefined>(undefined);
  const navNow = props.live ? keepSelection(anchor, view, ds, nav, setNav) : nav;
  const push = (r: Route): void => setStack((s) => [...s, r]);
  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const quit = (): void => (props.onQuit ? props.onQuit() : app.exit());
  const help = (): void => push({ name: 'help' });
  // (Enter on a summary line or a finding: the list, filtered, from its top)
  const filterAndBack = (expr: string): void => {
    view.setFilter(expr, true);
    setNav({ cursor: 0, offset: 0 });
    back();
  };
  const openExport = (): void => {
    if (!ds) return;
    const indices = view.exportIndices();
    push({ name: 'export', indices, what: view.markCount ? 'marked' : 'shown' });
  };

  switch (route.name) {
    case 'help':
      return <Help width={width} height={height} theme={theme} onBack={back} onQuit={quit} />;
    case 'timeline':
      return <Timeline ds={ds!} conn={route.conn} width={width} height={height} theme={theme} layout={tlLayout} onLayout={setTlLayout} onBack={back} onHelp={help} onQuit={quit} onExport={openExport} onOpenPacket={(k, row) => push({ name: 'detail', conn: route.conn, k, row })} />;
    case 'detail':
      return <PacketDetail ds={ds!} conn={route.conn} k={route.k} row={route.row} width={width} height={height} theme={theme} onBack={back} onHelp={help} onQuit={quit} />;
    case 'summary':
      return (
        <Summary
          ds={ds!}
          shown={view.order}
          width={width}
          height={height}
          theme={theme}
          onBack={back}
          onHelp={help}
          onQuit={quit}
          onFilter={(clause) => filterAndBack(composeClause(view.applied, clause))}
        />
      );
    case 'findings':
      return (
        <Findings
          findings={findings}
          total={ds?.conns.count ?? 0}
          width={width}
          height={height}
          theme={theme}
          onBack={back}
          onHelp={help}
          onQuit={quit}
          onFilter={filterAndBack}
        />
      );
    case 'export':
      return (
        <ExportDialog
          count={route.indices.length}
          what={route.what}
          defaultPath="rsttui-export.pcap"
          width={width}
          height={height}
          theme={theme}
          onClose={back}
          onSubmit={(path, format, force) => (props.exportFn ?? exportViaModule)(ds!, route.indices, path, format, force)}
        />
      );
    case 'list':
      return (
        <ConnList
          ds={ds}
          view={view}
          width={width}
          height={height}
          theme={theme}
          nav={navNow}
          onNav={setNav}
          load={load}
          {...(props.live && feed.stats ? { liveStatus: liveStatusText(feed.stats, paused, props.live.keeping === true, process.memoryUsage.rss()), onPause: () => setPaused((p) => !p) } : {})}
          {...(props.note ? { note: props.note } : {})}
          onOpen={(conn) => push({ name: 'timeline', conn })}
          onExport={openExport}
          onSummary={() => ds && push({ name: 'summary' })}
          onFindings={() => ds && push({ name: 'findings' })}
          onHelp={help}
          onQuit={quit}
        />
      );
  }
}

/** The connection on the selected row, and the rows it was selected among (which view, sort and filter). */
interface Anchor {
  order: Uint32Array;
  conn: number;
  gen: number;
  ds: unknown;
  how: string;
}

/**
 * A live list's rows change under the cursor as views come (new rows, a filter's membership, a sort
 * by a column that changes): the selection stays on its connection and that row on its screen line.
 * (A sort or filter the user changes moves the cursor as it does on a loaded dataset.) Returns the
 * position to show (and keeps it).
 */
function keepSelection(anchor: { current: Anchor | undefined }, view: ConnView, ds: { live?: { gen: number; remapFrom?(gen: number): Int32Array | undefined } } | undefined,
  nav: Nav, setNav: (n: Nav) => void): Nav {
  let now = nav;
  const a = anchor.current;
  const gen = ds?.live?.gen ?? 0;
  const how = `${view.sort} ${view.reverse} ${view.applied}`;
  if (a && a.order !== view.order && a.conn >= 0 && a.ds !== ds && a.how === how) {
    const conn = a.gen === gen ? a.conn : (ds?.live?.remapFrom?.(a.gen)?.[a.conn] ?? -1);
    const pos = conn >= 0 ? view.order.indexOf(conn) : -1;
    if (pos >= 0 && pos !== nav.cursor) {
      now = { cursor: pos, offset: Math.max(0, nav.offset + pos - nav.cursor) };
      setNav(now);
    }
  }
  anchor.current = { order: view.order, conn: view.order[now.cursor] ?? -1, gen, ds, how };
  return now;
}
