/**
 * Key dispatch: Ink's input event -> tokens -> the handler of the screen in front.
 *
 * Ink hands a run of typed characters over as ONE string (`/late-rst`, a paste, tmux send-keys).
 * The tokens are queued and handed on one at a time with a render in between, so that every
 * handler sees the state the previous key left (a closure over state would otherwise see the
 * same state for the whole run), and so that a key that opens another screen sends the keys after
 * it to that screen.
 */
import { useInput } from 'ink';
import { createContext, useContext, useEffect, useLayoutEffect, useRef, type MutableRefObject } from 'react';
import { actionFor, tokens, type Action, type Screen } from '../keys.js';
import { afterInput } from '../idle-gc.js';

export type KeyHandler = (token: string, action: Action | undefined) => void;

interface Registration {
  screen: MutableRefObject<Screen>;
  handler: MutableRefObject<KeyHandler>;
}

/** Active handlers, the one in front last. */
const stack: Registration[] = [];
const queue: string[] = [];
let draining = false;

function drain(): void {
  const t = queue.shift();
  if (t !== undefined) {
    const top = stack[stack.length - 1];
    if (top) top.handler.current(t, actionFor(top.screen.current, t));
  }
  if (queue.length > 0) setImmediate(drain);
  else draining = false;
}

/** Feed tokens as if typed (tests of the queue; the hook uses it for Ink's input). */
export function dispatchTokens(ts: readonly string[]): void {
  afterInput();
  queue.push(...ts);
  if (!draining) {
    draining = true;
    // even the first key waits a turn: inside Ink's input callback React batches updates, and
    // the render they cause may come after the next key's turn
    setImmediate(drain);
  }
}

/**
 * Set by the root: one input subscription for the whole app, so that no key is lost while one
 * screen makes way for the next (Ink attaches a screen's input listener in a passive effect,
 * some time after the new screen is on screen).
 */
export const KeyRouterContext = createContext(false);

/** The root's single subscription: every key goes to the screen in front. */
export function useKeyRouter(): void {
  useInput((input, key) => dispatchTokens(tokens(input, key)));
  useEffect(() => () => {
    queue.length = 0;
  }, []);
}

export function useKeys(screen: Screen, handler: KeyHandler, active = true): void {
  const routed = useContext(KeyRouterContext);
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  const screenRef = useRef(screen);
  screenRef.current = screen;
  const reg = useRef<Registration | undefined>(undefined);
  useLayoutEffect(() => {
    if (!active) return;
    const r: Registration = { screen: screenRef, handler: handlerRef };
    stack.push(r);
    reg.current = r;
    return () => {
      const at = stack.indexOf(r);
      if (at >= 0) stack.splice(at, 1);
    };
  }, [active]);
  useInput(
    (input, key) => {
      // every mounted screen hears the input; only the one in front queues it
      if (stack[stack.length - 1] !== reg.current) return;
      dispatchTokens(tokens(input, key));
    },
    // standalone (a screen rendered alone, as in tests) the screen listens itself
    { isActive: active && !routed },
  );
}
