// The sandbox's webhook side: Meta-shaped payloads, signed with the app secret and
// posted to Ticks' /webhook, so that the whole loop (send → sent/delivered/read, inbound →
// read receipt) runs on one machine. Shapes follow Meta's webhook reference pages.
import { randomBytes } from "node:crypto";
import { retryOnFailure } from "../retry.ts";
import { sign } from "../webhooks/signature.ts";
import type { SentMessage } from "./emulator.ts";

export interface WebhookTarget {
  url: string;
  appSecret: string;
  /** Delay after the send of each status (ms). */
  delaysMs?: { sent: number; delivered: number; read: number };
}

export const WABA_ID = "102290129340398";

export function envelope(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

const unix = (ms = Date.now()) => String(Math.floor(ms / 1000));

/** The recipient's identifiers on a status: the phone unless withheld, the BSUID when known. */
function recipient(msg: Pick<SentMessage, "to" | "userId">) {
  return { ...(msg.to ? { recipient_id: msg.to } : {}), ...(msg.userId ? { recipient_user_id: msg.userId } : {}) };
}

export function statusItem(msg: Pick<SentMessage, "wamid" | "to" | "userId">, status: string, at = Date.now()) {
  const pricing = { billable: true, pricing_model: "PMP", type: "regular", category: "utility" };
  if (status === "failed") {
    return {
      id: msg.wamid,
      status,
      timestamp: unix(at),
      ...recipient(msg),
      errors: [
        {
          code: 131026,
          title: "Message undeliverable",
          message: "Message undeliverable",
          error_data: { details: "Message Undeliverable." },
        },
      ],
    };
  }
  return { id: msg.wamid, status, timestamp: unix(at), ...recipient(msg), pricing };
}

/** The `contacts` Meta adds to statuses (not to `failed` ones) of messages to a BSUID or a username user. */
function statusContacts(msg: SentMessage, status: string) {
  if (!msg.userId || status === "failed") return {};
  const profile = { name: "Sandbox User", ...(msg.username ? { username: msg.username } : {}) };
  return { contacts: [{ profile, user_id: msg.userId, ...(msg.to ? { wa_id: msg.to } : {}) }] };
}

/** An inbound text from a person known by phone and BSUID, or, phone withheld, by BSUID and username. */
export function inboundText(
  person: { phone: string; userId?: string } | { userId: string; username: string },
  name: string,
  text: string,
  wamid = `wamid.${randomBytes(20).toString("base64")}`,
) {
  const message = { id: wamid, timestamp: unix(), type: "text", text: { body: text } };
  if ("phone" in person) {
    const ids = person.userId ? { user_id: person.userId } : {};
    return {
      contacts: [{ profile: { name }, wa_id: person.phone, ...ids }],
      messages: [{ from: person.phone, ...(person.userId ? { from_user_id: person.userId } : {}), ...message }],
    };
  }
  return {
    contacts: [{ profile: { name, username: person.username }, user_id: person.userId }],
    messages: [{ from_user_id: person.userId, ...message }],
  };
}

export async function postSigned(target: WebhookTarget, payload: unknown): Promise<number> {
  const body = JSON.stringify(payload);
  const res = await fetch(target.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": sign(body, target.appSecret) },
    body,
  });
  return res.status;
}

/** Posts sent → delivered → read (or sent → failed); a POST Ticks does not take is retried like Meta (less patiently). */
export function playStatuses(target: WebhookTarget, msg: SentMessage, timers: Set<NodeJS.Timeout>, stop: AbortSignal): void {
  const d = target.delaysMs ?? { sent: 200, delivered: 600, read: 1_500 };
  const plan: [string, number][] =
    msg.outcome === "failed"
      ? [["sent", d.sent], ["failed", d.delivered]]
      : msg.type === "reaction"
        ? [["sent", d.sent]] // reactions only ever get `sent`
        : [["sent", d.sent], ["delivered", d.delivered], ["read", d.read]];
  for (const [status, delay] of plan) {
    const post = () =>
      postSigned(target, envelope(msg.phoneNumberId, { ...statusContacts(msg, status), statuses: [statusItem(msg, status)] })).then((code) => {
        if (code !== 200) throw new Error(`Ticks answered ${code}`);
      });
    const t = setTimeout(() => {
      timers.delete(t);
      retryOnFailure(post, { retries: 5, minTimeout: 1_000, factor: 2, signal: stop }).catch(() => undefined);
    }, delay);
    timers.add(t);
  }
}
