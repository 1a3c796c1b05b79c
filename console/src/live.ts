// The live view: Ticks' /api/live event stream, read with fetch so that the key goes in the
// Authorization header (a browser's own EventSource cannot send one; the `eventsource`
// package reconnects the same way it does).
import { EventSource } from "eventsource";
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

type Listener = (batch: LiveBatch) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let state: "connecting" | "open" | "closed" = "closed";
const stateListeners = new Set<(s: typeof state) => void>();

function setState(s: typeof state) {
  state = s;
  stateListeners.forEach((l) => l(s));
}

function connect() {
  const key = session.key;
  if (!key || source) return;
  setState("connecting");
  source = new EventSource("/api/live", {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${key}` } }),
  });
  source.onopen = () => setState("open");
  source.onerror = () => setState("connecting");
  source.addEventListener("changes", (e) => {
    const batch = JSON.parse(e.data) as LiveBatch;
    listeners.forEach((l) => l(batch));
  });
}

function disconnect() {
  source?.close();
  source = undefined;
  setState("closed");
}

session.onChange(() => (session.key ? connect() : disconnect()));

/** Calls `listener` with each batch of changes while subscribed. */
export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  connect();
  return () => void listeners.delete(listener);
}

export function onLiveState(l: (s: typeof state) => void): () => void {
  stateListeners.add(l);
  l(state);
  return () => void stateListeners.delete(l);
}
