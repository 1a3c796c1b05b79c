// A subscriber's backend for relay tests: a real HTTP server on a loopback port that keeps
// every request it gets (bytes and headers) and answers as the test scripts it.
import http from "node:http";
import { closeServer, listenLocal } from "./local-server.ts";
import { until } from "./wait.ts";

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** How to answer one request: a status (and headers), after an optional delay. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface Receiver {
  url: string;
  /** Requests answered 2xx, in arrival order. */
  delivered: Received[];
  /** Every request, in arrival order. */
  all: Received[];
  /** The next requests' answers, in order; afterwards `fallback`. */
  script(...answers: Answer[]): void;
  fallback: Answer;
  /** Waits until `n` requests were answered 2xx. */
  waitFor(n: number, ms?: number): Promise<Received[]>;
  /** Requests being answered right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Stops listening (connections are refused) until `up`, on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(opts: { path?: string } = {}): Promise<Receiver> {
  const scripted: Answer[] = [];
  const r: Pick<Receiver, "delivered" | "all" | "script" | "fallback" | "waitFor"> = {
    delivered: [],
    all: [],
    script: (...answers) => void scripted.push(...answers),
    fallback: { status: 200 },
    waitFor: (n, ms = 10_000) => until(() => r.delivered, (d) => d.length >= n, ms),
  };
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => void (inFlight -= 1));
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const got: Received = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      const answer = scripted.shift() ?? r.fallback;
      const reply = () => {
        r.all.push(got);
        if (answer.status >= 200 && answer.status < 300) r.delivered.push(got);
        res.writeHead(answer.status, answer.headers).end(answer.status >= 400 ? "receiver says no" : "");
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  const base = await listenLocal(server);
  const port = Number(new URL(base).port);
  return {
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    down: () => {
      server.closeAllConnections();
      return closeServer(server);
    },
    up: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
    ...r,
    get fallback() {
      return r.fallback;
    },
    set fallback(a: Answer) {
      r.fallback = a;
    },
    url: `${base}${opts.path ?? "/hook"}`,
    close: () => {
      server.closeAllConnections();
      return closeServer(server);
    },
  };
}
