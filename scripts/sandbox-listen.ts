// npm run sandbox:listen — plays "your backend": listens on a local port, subscribes itself
// to the running Ticks in `ticks` format, verifies each event's Standard Webhooks signature
// and prints it as one line. Ctrl-C unsubscribes and stops. LISTEN_PORT picks its port.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { apiKey, ticksUrl } from "./ticks-api.ts";

interface Event {
  type: string;
  data: { wamid: string | null; direction: string; to: string | null; from: string | null; userId: string | null; status: string; previousStatus?: string | null; type: string | null; payload?: { text?: { body?: string } } | null; errors?: { code?: number; title?: string }[] | null };
}

/** One readable line per event. */
export function describeEvent(e: Event, at = new Date()): string {
  const d = e.data;
  const time = at.toISOString().slice(11, 19);
  const who = d.direction === "inbound" ? `from ${d.from ?? d.userId}` : `to ${d.to ?? d.userId}`;
  const wamid = d.wamid ? `${d.wamid.slice(0, 24)}…` : "(no wamid)";
  if (e.type === "message.received") {
    const text = d.payload?.text?.body;
    return `${time}  received  ${who}  ${d.type}${text ? ` "${text}"` : ""}  ${wamid}`;
  }
  const why = d.status === "failed" && d.errors?.[0] ? `  (${d.errors[0].code}: ${d.errors[0].title})` : "";
  return `${time}  ${(d.previousStatus ?? "—").padStart(9)} → ${d.status.padEnd(9)}  ${who}  ${wamid}${why}`;
}

async function main() {
  const key = await apiKey();
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const signed: { by?: Webhook } = {}; // known once subscribed
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        const event = signed.by!.verify(body, req.headers as Record<string, string>) as Event;
        console.log(describeEvent(event));
        res.writeHead(204).end();
      } catch (err) {
        console.log(`rejected a request: ${(err as Error).message}`);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(Number(process.env.LISTEN_PORT ?? 0), "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  const made = await fetch(`${ticksUrl}/api/subscriptions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ url, format: "ticks", description: "npm run sandbox:listen" }),
  }).catch((err: unknown) => {
    console.error(`Cannot reach Ticks at ${ticksUrl} (${(err as Error).message}): start it first (npm start), or set PORT.`);
    process.exit(1);
  });
  if (made.status !== 201) {
    console.error(`Ticks refused the subscription: ${made.status} ${await made.text()}`);
    process.exit(1);
  }
  const sub = (await made.json()) as { id: string; secret: string };
  signed.by = new Webhook(sub.secret);
  console.log(`Listening at ${url} as subscription ${sub.id}: each event Ticks sends is verified and printed. Ctrl-C stops.`);

  const stop = async () => {
    await fetch(`${ticksUrl}/api/subscriptions/${sub.id}`, { method: "DELETE", headers }).catch(() => undefined);
    server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
