// The live view: Ticks' /api/live event stream, read with fetch so that the key goes in the
// Authorization header (a browser's own EventSource cannot send one). The `eventsource`
// package reconnects by itself after a network error; after an answer other than 200 (a
// deploy's 502 or 503) it stops, and this module starts it again with backoff, or signs out
// on a 401 (the key was revoked). After any gap every listener is told to reload its view.
import { EventSource, type ErrorEvent } from "eventsource";
import { session } from "./api.ts";

export interface LiveChange {
  id?: string;
  wamid?: string;
  people: string[];
}
export interface LiveBatch {
  overflow: boolean;
  changes: LiveChange[];
}
export type LiveState = "connecting" | "open" | "closed";

const listeners = new Set<(batch: LiveBatch) => void>();
const stateListeners = new Set<(s: LiveState) => void>();
let source: EventSource | undefined;
let state: LiveState = "closed";
let retry: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
let everOpened = false;

function setState(s: LiveState) {
  state = s;
  stateListeners.forEach((l) => l(s));
}

const tell = (batch: LiveBatch) => listeners.forEach((l) => l(batch));

function connect() {
  const key = session.key;
  if (!key || source) return;
  setState("connecting");
  const es = new EventSource("/api/live", {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${key}` } }),
  });
  source = es;
  es.onopen = () => {
    failures = 0;
    setState("open");
    if (everOpened) tell({ overflow: true, changes: [] }); // whatever changed during the gap
    everOpened = true;
  };
  es.onerror = (e: ErrorEvent) => {
    if (es.readyState !== EventSource.CLOSED) return setState("connecting"); // it retries by itself
    source = undefined;
    if (e.code === 401) return session.signOut();
    setState("connecting");
    failures += 1;
    retry = setTimeout(connect, Math.min(30_000, 1_000 * 2 ** failures));
  };
  es.addEventListener("changes", (e) => tell(JSON.parse(e.data) as LiveBatch));
}

function disconnect() {
  clearTimeout(retry);
  source?.close();
  source = undefined;
  everOpened = false;
  setState("closed");
}

session.onChange(() => (session.key ? connect() : disconnect()));
connect(); // a key kept from before a reload

/** Calls `listener` with each batch of changes while subscribed. */
export function onLive(listener: (batch: LiveBatch) => void): () => void {
  listeners.add(listener);
  connect();
  return () => void listeners.delete(listener);
}

export function onLiveState(l: (s: LiveState) => void): () => void {
  stateListeners.add(l);
  l(state);
  return () => void stateListeners.delete(l);
}
