// What changed, for the console's live view: a process-local stream of message changes
// (a status applied, an inbound message stored, a send answered, a read receipt taken).
// Nothing is kept and nothing is published while nobody listens; a listener that misses
// something (it connected late, or the change landed on another process) reloads its view.

/** One message that changed: its ids, and the identifiers of the other party where known. */
export interface LiveChange {
  id?: string | undefined;
  wamid?: string | undefined;
  /** Phone digits and/or BSUIDs of the person the message is with. */
  people: string[];
}

export interface LiveBus {
  /** Cheap when nobody listens: callers may skip building changes when this is false. */
  readonly listening: boolean;
  publish(changes: LiveChange[]): void;
  /** Returns the function that stops listening. */
  subscribe(listener: (changes: LiveChange[]) => void): () => void;
}

export function createLiveBus(): LiveBus {
  const listeners = new Set<(changes: LiveChange[]) => void>();
  return {
    get listening() {
      return listeners.size > 0;
    },
    publish(changes) {
      if (changes.length === 0) return;
      for (const l of listeners) l(changes);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
