// The one module that talks to the Cloud API (or to the sandbox emulator, the same way).
// It returns Meta's answer as it came (status and body) so that the drop-in endpoint can
// pass it back unchanged; transient answers are retried with exponential backoff and
// jitter (p-retry, from the first failure on: src/retry.ts) within one deadline that covers
// every attempt.
//
// HTTP is undici's request(), not axios: on the send path axios cost 0.33 ms of CPU per call
// and undici 0.07 ms (the same emulator, 8 calls in flight), which took Ticks from 640 to 720
// sends/s at the same offered load and its capacity from 1,100 to 1,600-1,900/s (README
// "Benchmarks"). The deadline is one AbortController whose timer is cleared when the call
// ends (AbortSignal.timeout keeps a timer alive for the whole deadline, per call).
import type { Logger } from "pino";
import { Agent, request } from "undici";
import { causeChain, codeOf } from "../errors.ts";
import { retryOnFailure } from "../retry.ts";

export interface GraphAnswer {
  status: number;
  data: unknown;
}

/** Meta gave no answer in time (or could not be reached): the request may have arrived. */
export class GraphNoAnswerError extends Error {}

/** Every attempt failed before a connection was made (refused, no route, no DNS): Meta never saw the request. */
export class GraphUnreachableError extends GraphNoAnswerError {}

const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** The request never left: the error happened while connecting. */
function beforeConnect(err: unknown): boolean {
  for (const e of causeChain(err)) if (NEVER_CONNECTED.has(codeOf(e) ?? "")) return true;
  return false;
}

export interface GraphClientOptions {
  baseUrl: string;
  accessToken: string;
  /** Retries after the first attempt. */
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Each failed attempt that will be retried is logged here, with its cause. */
  log?: Logger;
}

// Meta's codes worth retrying: throughput, pair rate limit, unknown and service errors.
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
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  const headers = { authorization: `Bearer ${opts.accessToken}`, "content-type": "application/json" };
  // Keep-alive connections to Meta (or the emulator), reused across calls.
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });

  return {
    async postMessages(version, phoneNumberId, body, deadlineMs) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), deadlineMs);
      const signal = controller.signal;
      const path = `/${encodeURIComponent(version)}/${encodeURIComponent(phoneNumberId)}/messages`;
      const payload = JSON.stringify(body);
      // The answer of the attempt that finished last; undefined while one is in flight.
      let lastAnswer: GraphAnswer | undefined;
      // Whether any attempt may have reached Meta (it connected, or failed after connecting).
      let mayHaveArrived = false;
      try {
        return await retryOnFailure(
          async () => {
            lastAnswer = undefined;
            const res = await request(baseUrl + path, { method: "POST", headers, body: payload, signal, dispatcher }).catch((err: unknown) => {
              if (!beforeConnect(err)) mayHaveArrived = true;
              throw err;
            });
            mayHaveArrived = true;
            lastAnswer = { status: res.statusCode, data: parseBody(await res.body.text()) };
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
            // p-retry 6 hands over the failed attempt's error, with its number and what is left.
            onFailedAttempt: (error) => {
              const { attemptNumber, retriesLeft } = error;
              if (retriesLeft === 0 || !opts.log) return;
              const cause = error instanceof TransientAnswer ? { status: error.answer.status, code: metaCode(error.answer) } : { error: (error as { code?: string }).code ?? error.message };
              opts.log.warn({ phoneNumberId, attempt: attemptNumber, ...cause }, "Graph API call failed; retrying");
            },
          },
        );
      } catch (err) {
        if (err instanceof TransientAnswer) return err.answer; // retries used up: Meta's last word
        if (lastAnswer) return lastAnswer; // the deadline fell between attempts
        if (!mayHaveArrived) throw new GraphUnreachableError(`Graph API unreachable: ${(err as Error).message}`, { cause: err });
        throw new GraphNoAnswerError(
          signal.aborted ? `no answer within ${deadlineMs} ms` : `the connection failed after it was made: ${(err as Error).message}`,
          { cause: err },
        );
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

const metaCode = (answer: GraphAnswer) => (answer.data as { error?: { code?: unknown } } | null)?.error?.code;

/** Meta answers JSON; anything else (a proxy's HTML error page) is passed on as text. */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
