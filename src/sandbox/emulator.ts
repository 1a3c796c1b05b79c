// The sandbox: a real HTTP server that answers like Meta's Cloud API, used by `npm start`
// without credentials and by the tests as Meta's side (the HTTP client is never stubbed). It
// records every request, answers Meta-shaped errors for a few documented test
// recipients, limits throughput per phone number like Meta (code 130429), and, when
// given a webhook URL, posts signed status webhooks back (see emulator-webhooks.ts).
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { GraphError } from "../graph/errors.ts";
import { isBsuid, isParentBsuid, phoneKey } from "../people/identifiers.ts";
import { envelope, inboundText, playStatuses, postSigned, type WebhookTarget } from "./webhooks.ts";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface ScriptedAnswer {
  status: number;
  body: unknown;
  /** Wait this long before answering (a longer wait than the client's deadline is a timeout). */
  delayMs?: number;
}

export interface SentMessage {
  wamid: string;
  phoneNumberId: string;
  /** The recipient's phone digits; null when the send named a BSUID only (Meta withholds it). */
  to: string | null;
  /** The recipient's BSUID, for sends to a BSUID and to username users. */
  userId: string | null;
  username: string | null;
  type: string;
  /** "failed" recipients get a failed status webhook instead of delivered/read. */
  outcome: "delivered" | "failed";
}

export interface EmulatorOptions {
  accessToken: string;
  port?: number;
  /** Sends per second per phone number before code 130429 (Meta's default tier is 80). */
  ratePerSecond?: number;
  /** Called after each accepted send (the webhook sender hooks in here). */
  onSent?: (msg: SentMessage) => void;
  /**
   * Answers a request before the built-in behaviour when it returns an answer: a harness
   * plays a Meta that misbehaves in a particular way (an outage, a given wamid).
   */
  override?: (req: ReceivedRequest) => ScriptedAnswer | undefined;
  /** How many of the latest requests `requests` keeps (default 1,000): the sandbox runs for days. */
  historyLimit?: number;
}

/** Test recipients with a fixed behaviour, documented in docs/sandbox.md. */
export const TEST_RECIPIENTS = {
  windowClosed: "15550001001", // 400, code 131047 (24-hour window closed): not retried
  undeliverable: "15550001002", // accepted, then a `failed` status webhook with code 131026
  serviceError: "15550001003", // 500, code 131000 on every attempt: retried, then passed back
  noAnswer: "15550001004", // never answers: the caller's deadline passes (504)
  usernameUser: "15550001005", // a username user: Meta answers and reports their BSUID beside the phone
} as const;

/** Sent to a BSUID (not a phone), this template is refused like Meta's authentication templates (131062). */
export const AUTHENTICATION_TEMPLATE = "sandbox_authentication_code";
export const SANDBOX_USERNAME = "sandbox.user";

/** The sandbox's stable BSUID for a phone number ("US." and 20 digits). */
export function sandboxBsuid(phoneDigits: string): string {
  const n = BigInt(`0x${createHash("sha256").update(phoneDigits).digest("hex").slice(0, 16)}`);
  return `US.${n.toString().padStart(20, "0").slice(0, 20)}`;
}

/** Meta's error body (the one builder, GraphError's); `message` as Meta writes it, "(#code) …" or not. */
export function graphErrorBody(code: number, message: string, details?: string) {
  return new GraphError(0, code, message.replace(/^\(#\d+\) /, ""), details).toBody(`A${randomBytes(8).toString("base64url")}`);
}

export function newWamid(): string {
  return `wamid.${randomBytes(24).toString("base64")}`;
}

export interface Emulator {
  url: string;
  /** Where to post status webhooks after each accepted send (sandbox mode). */
  setWebhook(target: WebhookTarget | undefined): void;
  /**
   * Posts a signed inbound text message to the webhook target; resolves with Ticks' HTTP status.
   * With `username`, it comes from a username user whose phone is withheld: BSUID only.
   */
  deliverInbound(opts: { phoneNumberId: string; from: string; name?: string; username?: string; text: string }): Promise<{ status: number; wamid: string; userId: string }>;
  /** The latest requests, oldest first (at most `historyLimit`). */
  requests: ReceivedRequest[];
  /** Forgets the requests and the throughput windows. */
  reset(): void;
  close(): Promise<void>;
}

const MESSAGES_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/;

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const requests: ReceivedRequest[] = [];
  const historyLimit = opts.historyLimit ?? 1_000;
  const windows = new Map<string, { second: number; count: number }>();
  const limit = opts.ratePerSecond ?? 80;
  const hanging = new Set<http.ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const stopped = new AbortController(); // ends the webhooks' retries on close
  let target: WebhookTarget | undefined;

  function overLimit(phoneNumberId: string): boolean {
    const second = Math.floor(Date.now() / 1000);
    const w = windows.get(phoneNumberId);
    if (!w || w.second !== second) {
      windows.set(phoneNumberId, { second, count: 1 });
      return false;
    }
    w.count += 1;
    return w.count > limit;
  }

  function answer(req: ReceivedRequest): ScriptedAnswer | "hang" {
    const next = opts.override?.(req);
    if (next) return next;
    const match = MESSAGES_PATH.exec(req.path);
    if (req.method !== "POST" || !match) {
      return { status: 400, body: graphErrorBody(100, "Unsupported post request.") };
    }
    if (req.headers.authorization !== `Bearer ${opts.accessToken}`) {
      return { status: 401, body: graphErrorBody(190, "Invalid OAuth access token - Cannot parse access token") };
    }
    const phoneNumberId = match[2]!;
    const body = req.body as Record<string, unknown> | null;
    if (!body || body.messaging_product !== "whatsapp") {
      return { status: 400, body: graphErrorBody(100, "(#100) The parameter messaging_product is required.") };
    }
    if (body.status === "read") {
      return typeof body.message_id === "string"
        ? { status: 200, body: { success: true } }
        : { status: 400, body: graphErrorBody(100, "(#100) The parameter message_id is required.") };
    }
    // The recipient: `to` (a phone) wins over `recipient` (a BSUID or parent BSUID), as at Meta.
    const to = typeof body.to === "string" ? body.to : "";
    const group = body.recipient_type === "group" && to !== "";
    const digits = group ? "" : (phoneKey(to) ?? "");
    const recipient = typeof body.recipient === "string" ? body.recipient : "";
    const byBsuid = !digits && !group && (isBsuid(recipient) || isParentBsuid(recipient));
    if (!digits && !byBsuid && !group) return { status: 400, body: graphErrorBody(100, "(#100) The parameter to or recipient is required.") };
    if (overLimit(phoneNumberId)) {
      return {
        status: 400,
        body: graphErrorBody(130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
      };
    }
    if (digits === TEST_RECIPIENTS.windowClosed) {
      return {
        status: 400,
        body: graphErrorBody(131047, "(#131047) Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
      };
    }
    if (digits === TEST_RECIPIENTS.serviceError) {
      return { status: 500, body: graphErrorBody(131000, "(#131000) Something went wrong") };
    }
    if (digits === TEST_RECIPIENTS.noAnswer) return "hang";
    const type = typeof body.type === "string" ? body.type : "text";
    if (byBsuid && type === "template" && (body.template as { name?: unknown } | undefined)?.name === AUTHENTICATION_TEMPLATE) {
      return {
        status: 400,
        body: graphErrorBody(131062, "(#131062) Business-scoped user ID not supported", "This authentication template cannot be sent to a business-scoped user ID. Send it to the phone number."),
      };
    }

    const wamid = newWamid();
    const username = byBsuid || digits === TEST_RECIPIENTS.usernameUser;
    const userId = byBsuid ? recipient : username ? sandboxBsuid(digits) : null;
    const sent: SentMessage = {
      wamid,
      phoneNumberId,
      to: digits || null,
      userId,
      username: username ? SANDBOX_USERNAME : null,
      type,
      outcome: digits === TEST_RECIPIENTS.undeliverable ? "failed" : "delivered",
    };
    opts.onSent?.(sent);
    if (target) playStatuses(target, sent, timers, stopped.signal);
    return {
      status: 200,
      body: {
        messaging_product: "whatsapp",
        contacts: [group ? { input: to } : byBsuid ? { input: recipient, user_id: recipient } : { input: to, wa_id: digits, ...(userId ? { user_id: userId } : {}) }],
        messages: [{ id: wamid, ...(type === "template" ? { message_status: "accepted" } : {}) }],
      },
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null;
      } catch {
        body = null;
      }
      const received = { method: req.method ?? "", path: (req.url ?? "").split("?")[0]!, headers: req.headers, body };
      if (requests.length >= historyLimit) requests.splice(0, requests.length - historyLimit + 1);
      requests.push(received);
      const a = answer(received);
      if (a === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const send = () => {
        res.writeHead(a.status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(a.body));
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setWebhook: (t) => void (target = t),
    async deliverInbound({ phoneNumberId, from, name, username, text }) {
      if (!target) throw new Error("no webhook target set");
      const wamid = newWamid();
      const userId = sandboxBsuid(from);
      const person = username ? { userId, username } : { phone: from, userId };
      const status = await postSigned(target, envelope(phoneNumberId, inboundText(person, name ?? "Sandbox User", text, wamid)));
      return { status, wamid, userId };
    },
    reset() {
      requests.length = 0;
      windows.clear();
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      stopped.abort();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
