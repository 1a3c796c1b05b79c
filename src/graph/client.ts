// The one module that talks to the Cloud API (or to the sandbox emulator, the same way).
// It returns Meta's answer as it came (status and body) so that the drop-in endpoint can
// pass it back unchanged; transient answers are retried with exponential backoff and
// jitter (p-retry) within one deadline that covers every attempt.
import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance } from "axios";
import pRetry from "p-retry";

export interface GraphAnswer {
  status: number;
  data: unknown;
}

/** Meta gave no answer in time (or could not be reached): the request may have arrived. */
export class GraphNoAnswerError extends Error {}

export interface GraphClientOptions {
  baseUrl: string;
  accessToken: string;
  /** Retries after the first attempt. */
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

// CONTRACT.md §1: codes worth retrying (throughput, pair rate limit, unknown/service errors).
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131056]);

export function isTransient(answer: GraphAnswer): boolean {
  if (answer.status === 429 || answer.status >= 500) return true;
  const code = (answer.data as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === "number" && TRANSIENT_CODES.has(code);
}

class TransientAnswer extends Error {
  constructor(readonly answer: GraphAnswer) {
    super(`transient Graph API answer ${answer.status}`);
  }
}

export interface GraphClient {
  /** POST /{version}/{phoneNumberId}/messages; resolves with Meta's answer, 2xx or not. */
  postMessages(version: string, phoneNumberId: string, body: unknown, deadlineMs: number): Promise<GraphAnswer>;
}

export function createGraphClient(opts: GraphClientOptions): GraphClient {
  const http_: AxiosInstance = axios.create({
    baseURL: opts.baseUrl.replace(/\/+$/, ""),
    headers: { Authorization: `Bearer ${opts.accessToken}`, "Content-Type": "application/json" },
    validateStatus: () => true, // every answer is Meta's to pass back, not an exception
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
    maxRedirects: 0,
  });

  return {
    async postMessages(version, phoneNumberId, body, deadlineMs) {
      const signal = AbortSignal.timeout(deadlineMs);
      const url = `/${encodeURIComponent(version)}/${encodeURIComponent(phoneNumberId)}/messages`;
      // The answer of the attempt that finished last; undefined while one is in flight.
      let lastAnswer: GraphAnswer | undefined;
      try {
        return await pRetry(
          async () => {
            lastAnswer = undefined;
            const res = await http_.post(url, body, { signal });
            lastAnswer = { status: res.status, data: res.data };
            if (isTransient(lastAnswer)) throw new TransientAnswer(lastAnswer);
            return lastAnswer;
          },
          {
            retries: opts.retries ?? 4,
            factor: 2,
            minTimeout: opts.minBackoffMs ?? 200,
            maxTimeout: opts.maxBackoffMs ?? 3_000,
            randomize: true,
            signal,
          },
        );
      } catch (err) {
        if (err instanceof TransientAnswer) return err.answer; // retries used up: Meta's last word
        if (lastAnswer) return lastAnswer; // the deadline fell between attempts
        throw new GraphNoAnswerError(
          signal.aborted ? `no answer within ${deadlineMs} ms` : `Graph API unreachable: ${(err as Error).message}`,
          { cause: err },
        );
      }
    },
  };
}
