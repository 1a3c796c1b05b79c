// The drop-in send path (docs/api.md): validate, store as pending, forward, record Meta's
// answer, pass Meta's answer back unchanged.
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import { GroupCommit, QueueFullError } from "../db/group-commit.ts";
import { GraphNoAnswerError, GraphUnreachableError, type GraphAnswer, type GraphClient } from "../graph/client.ts";
import { GraphError, graphErrors } from "../graph/errors.ts";
import { causeChain, codeOf, isDatabaseUnavailable } from "../errors.ts";
import { retryOnFailure } from "../retry.ts";
import type { SendRepository, SendWrite } from "./repository.ts";
import { MarkReadBodySchema, SendBodySchema, withDefaultType } from "./send-schema.ts";
import { issuesText } from "../validation.ts";
import { maskWamid } from "../logger.ts";
import { phoneKey } from "../people/identifiers.ts";
import type { LiveBus } from "../live/bus.ts";

export interface SendResult {
  status: number;
  body: unknown;
  /** Ticks' id of the stored message; absent for mark-as-read. */
  messageId?: string;
}

export interface SendServiceDeps {
  graph: GraphClient;
  repo: SendRepository;
  log: Logger;
  timeoutMs: number;
  /** How long Meta's answer is retried in the background when the database is down (default 10 min). */
  lateWriteMs?: number;
  /** Sends waiting to be stored before new ones get 503 (default 10,000). */
  maxQueued?: number;
  /** Told when a send was stored and when Meta's answer was (the console's live view). */
  live?: LiveBus;
}

// A pending row outlives its request by this much before the sweep calls it unconfirmed,
// so that the sweep never races a send that is still waiting for Meta.
const PENDING_GRACE_MS = 5_000;

interface SuccessBody {
  // A send to a BSUID answers `user_id` and no (or an empty) `wa_id`.
  contacts?: { wa_id?: string; user_id?: string }[];
  messages?: { id?: string }[];
}

export function createSendService({ graph, repo, log, timeoutMs, lateWriteMs = 600_000, maxQueued = 10_000, live }: SendServiceDeps) {
  // Concurrent sends share their writes (hot path: 1,000 sends/s is Meta's top tier): the
  // pending rows of new sends and the acceptances of earlier ones go in one statement, one
  // round trip and one commit. Postgres' cost is mostly per statement, not per row (measured:
  // 0.60 ms of its CPU per send one by one, 0.34 two at a time, 0.16 ten at a time).
  const writes = new GroupCommit<SendWrite>((items) => repo.write(items), { maxItems: 2_000, concurrency: 1, maxQueued });

  async function markRead(version: string, phoneNumberId: string, raw: unknown): Promise<SendResult> {
    const parsed = MarkReadBodySchema.safeParse(raw);
    if (!parsed.success) throw graphErrors.invalidParameter(issuesText(parsed.error));
    return toResult(await forward(version, phoneNumberId, raw));
  }

  /** Meta's answer, or why there is none: it never saw the send (unreachable), or it may have (unconfirmed). */
  type Outcome = { answer: GraphAnswer } | { failure: "unreachable" | "unconfirmed"; error: GraphError };

  async function forward(version: string, phoneNumberId: string, body: unknown): Promise<Outcome> {
    try {
      return { answer: await graph.postMessages(version, phoneNumberId, body, timeoutMs) };
    } catch (err) {
      if (err instanceof GraphUnreachableError) {
        log.warn({ phoneNumberId, cause: causeOf(err) }, "send failed: the Graph API could not be reached; nothing was sent");
        return { failure: "unreachable", error: graphErrors.unreachable(`Ticks could not reach the Graph API (${causeOf(err)}); nothing was sent. Retry shortly.`) };
      }
      if (err instanceof GraphNoAnswerError) {
        log.warn({ phoneNumberId, cause: causeOf(err) }, "send unconfirmed: the Graph API did not answer in time; it may have been sent");
        return { failure: "unconfirmed", error: graphErrors.timeout(`Meta did not answer within ${timeoutMs} ms; the message may have been sent.`) };
      }
      throw err;
    }
  }

  async function send(version: string, phoneNumberId: string, raw: unknown): Promise<SendResult> {
    const body = withDefaultType(raw);
    if (body && typeof body === "object" && (body as { status?: unknown }).status === "read") {
      return markRead(version, phoneNumberId, body);
    }
    const parsed = SendBodySchema.safeParse(body);
    if (!parsed.success) throw graphErrors.invalidParameter(issuesText(parsed.error));

    const messageId = randomUUID();
    try {
      await writes.submit([{ pending: {
        id: messageId,
        createdAt: new Date(),
        phoneNumberId,
        to: parsed.data.to ?? null,
        recipient: parsed.data.recipient ?? null,
        type: parsed.data.type,
        payload: body,
        graphVersion: version,
        bizOpaqueCallbackData: parsed.data.biz_opaque_callback_data,
        deadlineAt: new Date(Date.now() + timeoutMs + PENDING_GRACE_MS),
      } }]);
    } catch (err) {
      // A send that cannot be stored is not made.
      if (isDatabaseUnavailable(err)) throw graphErrors.unavailable("Ticks' database is unavailable; nothing was sent.");
      if (err instanceof QueueFullError) throw graphErrors.unavailable("Ticks is busy: too many sends are waiting to be stored; nothing was sent. Retry shortly.");
      throw err;
    }

    const people = [phoneKey(parsed.data.to), parsed.data.recipient].filter((p): p is string => !!p);
    if (live?.listening) live.publish([{ id: messageId, people }]);
    const outcome = await forward(version, phoneNumberId, body);
    if ("answer" in outcome && outcome.answer.status >= 400) {
      const code = (outcome.answer.data as { error?: { code?: unknown } } | null)?.error?.code;
      log.warn({ messageId, phoneNumberId, status: outcome.answer.status, code }, "send refused by Meta");
    }
    await record(messageId, outcome, { to: parsed.data.to ?? null, recipient: parsed.data.recipient ?? null });
    if (live?.listening) live.publish([{ id: messageId, people }]);
    return { ...toResult(outcome), messageId };
  }

  // Verdicts still being written after their request was answered (the database was down).
  const lateWrites = new Set<Promise<void>>();
  const stopLateWrites = new AbortController();

  /**
   * Writes Meta's verdict. Meta has the message by now, so a database outage must not cost its
   * wamid: the request rides out a short one (about 2.5 s), then is answered while the write
   * goes on in the background with backoff for up to `lateWriteMs`. A verdict that lands after
   * the pending sweep still wins: an acceptance moves the row whatever its status, a rejection
   * replaces the sweep's `unconfirmed`.
   */
  async function record(messageId: string, outcome: Outcome, named: { to: string | null; recipient: string | null }): Promise<void> {
    const at = new Date();
    const meta = "answer" in outcome ? outcome.answer : undefined;
    const success = meta && meta.status >= 200 && meta.status < 300 ? (meta.data as SuccessBody | null) : undefined;
    const wamid = success?.messages?.[0]?.id;
    const metaError = (meta?.data as { error?: { code?: unknown } } | null | undefined)?.error;
    const write = async () => {
      if ("failure" in outcome) {
        const reason = outcome.error.details ?? outcome.error.message;
        return outcome.failure === "unreachable" ? repo.markUnreachable(messageId, reason) : repo.markUnconfirmed(messageId, reason);
      }
      if (wamid) {
        const contact = success?.contacts?.[0];
        // Always admitted: the send was stored and made; its answer must not be refused.
        const accepted = { id: messageId, wamid, waId: contact?.wa_id || null, userId: contact?.user_id || null, acceptedAt: at, named: [phoneKey(named.to), named.recipient] };
        return writes.submit([{ accepted }], { always: true });
      }
      return repo.markRejected(messageId, metaError ?? outcome.answer.data);
    };
    // What an operator needs to reconcile by hand if the write never lands (no phone numbers; the
    // wamid, which encodes one, masked).
    const verdict = () => ("failure" in outcome ? { failure: outcome.failure } : { status: outcome.answer.status, wamid: wamid && maskWamid(wamid), code: metaError?.code });
    try {
      await retryOnFailure(write, { retries: 5, minTimeout: 100, maxTimeout: 1_000 });
    } catch (err) {
      if (!isDatabaseUnavailable(err)) {
        log.error({ err, messageId, verdict: verdict() }, "could not record Meta's answer; the message stays pending until the sweep; this line keeps Meta's verdict");
        return;
      }
      log.warn({ messageId, verdict: verdict() }, "database unavailable: Meta's answer will be recorded once it is back");
      const late: Promise<void> = retryOnFailure(write, {
        retries: 40, // 1 s doubling to 30 s: more than maxRetryTime allows
        minTimeout: 1_000,
        maxTimeout: 30_000,
        maxRetryTime: lateWriteMs,
        signal: stopLateWrites.signal,
      })
        .then(
          () => log.info({ messageId }, "Meta's answer recorded after the database came back"),
          (lateErr: unknown) => log.error({ err: lateErr, messageId, verdict: verdict() }, "gave up recording Meta's answer: the pending sweep marks the message failed/unconfirmed; this line keeps Meta's verdict"),
        )
        .finally(() => lateWrites.delete(late));
      lateWrites.add(late);
    }
  }

  /** On shutdown: give late writes up to `graceMs` to land, then stop them (each logs its verdict). */
  async function drain(graceMs = 5_000): Promise<void> {
    if (lateWrites.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...lateWrites]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    stopLateWrites.abort();
    await Promise.allSettled([...lateWrites]);
  }

  return { send, markRead, drain };
}

/** "connect ECONNREFUSED 127.0.0.1:1", "no answer within 30000 ms": the innermost reason. */
function causeOf(err: Error): string {
  const innermost = [...causeChain(err)].at(-1) as Error;
  const code = codeOf(innermost);
  return code && !innermost.message.includes(code) ? `${code}: ${innermost.message}` : innermost.message;
}

function toResult(outcome: { answer: GraphAnswer } | { error: GraphError }): SendResult {
  if ("error" in outcome) return { status: outcome.error.status, body: outcome.error };
  return { status: outcome.answer.status, body: outcome.answer.data };
}

export type SendService = ReturnType<typeof createSendService>;
