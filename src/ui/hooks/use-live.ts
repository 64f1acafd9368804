/**
 * A ref that holds the latest value of some state, set on every render and written by key
 * handlers as they change it: the next key of a burst then sees the change even when React has
 * not rendered in between (handlers close over the state of the last render).
 */
import { useRef, type MutableRefObject } from 'react';

export function useLive<T>(value: T): MutableRefObject<T> {
  const r = useRef(value);
  r.current = value;
  return r;
}
