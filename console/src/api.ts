// Every call the console makes goes to Ticks' /api with the signed-in key in the
// Authorization header. The key lives in this tab's sessionStorage only: never in a URL,
// gone when the tab closes. The answers' types are the API's own (src/queries/schemas.ts).
import type {
  ApiConversationList,
  ApiError,
  ApiMessage,
  ApiMessagePage,
  ApiMessageWithEvents,
  ApiStats,
} from "../../src/queries/schemas.ts";
import type { ApiMessageDelivery } from "../../src/relay/schemas.ts";

export type { ApiConversationList, ApiMessage, ApiMessagePage, ApiMessageWithEvents, ApiStats, ApiMessageDelivery };

const KEY = "ticks.apiKey";
const listeners = new Set<() => void>();

export const session = {
  get key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  signIn(key: string) {
    sessionStorage.setItem(KEY, key);
    listeners.forEach((l) => l());
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    listeners.forEach((l) => l());
  },
  onChange(l: () => void) {
    listeners.add(l);
    return () => void listeners.delete(l);
  },
};

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET an /api path; a 401 signs the person out (the key was revoked). */
export async function api<T>(path: string, key = session.key): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${key ?? ""}`, Accept: "application/json" } });
  } catch {
    throw new ApiFailure(0, "Ticks cannot be reached. Check your connection and try again.");
  }
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => null)) as ApiError | null;
  if (res.status === 401 && key === session.key) session.signOut();
  throw new ApiFailure(res.status, body?.error?.message ?? `Ticks answered ${res.status}.`);
}

export const enc = encodeURIComponent;
