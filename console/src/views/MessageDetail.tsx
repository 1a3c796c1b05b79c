// One message: what happened to it and when. Each status event with Meta's time and the time
// Ticks received it (the raw event on demand), pricing, and its deliveries to the business's
// backend (the relay) with their attempts.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, enc, type ApiMessageDelivery, type ApiMessageWithEvents } from "../api.ts";
import { Ticks } from "../components/Ticks.tsx";
import { dateTime, messageText, personLabel, phone, STATUS_WORDS } from "../format.ts";
import { onLive } from "../live.ts";
import { describeError, FAILURE_REASONS } from "../meta-errors.ts";
import { href } from "../router.ts";

const seconds = (from: string, to: string) => ((new Date(to).getTime() - new Date(from).getTime()) / 1000).toFixed(1);

export function MessageDetail({ id }: { id: string }) {
  const [m, setM] = useState<ApiMessageWithEvents | null>(null);
  const [deliveries, setDeliveries] = useState<ApiMessageDelivery[] | string>([]);
  const [error, setError] = useState<string | null>(null);
  const keys = useRef(new Set([id]));

  useEffect(() => {
    let live = true;
    let latest = 0; // answers to an earlier load that arrive late are dropped
    const load = async () => {
      const mine = ++latest;
      try {
        const msg = await api<ApiMessageWithEvents>(`/api/messages/${enc(id)}`);
        keys.current = new Set([id, msg.id, ...(msg.wamid ? [msg.wamid] : [])]);
        const query = [msg.id, msg.wamid].filter((k): k is string => !!k).map((k) => `message=${enc(k)}`).join("&");
        const d = await api<{ data: ApiMessageDelivery[] }>(`/api/deliveries?${query}`).then(
          (r) => r.data,
          (err: Error) => `The deliveries could not be read: ${err.message}`,
        );
        if (!live || mine !== latest) return;
        setM(msg);
        setDeliveries(d);
        setError(null);
      } catch (err) {
        if (live && mine === latest) setError((err as Error).message);
      }
    };
    void load();
    const stop = onLive((b) => {
      if (b.overflow || b.changes.some((c) => (c.id && keys.current.has(c.id)) || (c.wamid && keys.current.has(c.wamid)))) void load();
    });
    return () => {
      live = false;
      stop();
    };
  }, [id]);

  if (error) return <main><p class="error" role="alert">{error}</p></main>;
  if (!m) return <main><p aria-live="polite">Loading…</p></main>;
  const err = describeError(m.errors);
  const person = m.waId ?? m.userId ?? m.parentUserId;

  return (
    <main class="detail" aria-labelledby="detail-title">
      {person && (
        <a href={href.conversation(person)} class="back">
          ← Conversation with {personLabel(m)}
        </a>
      )}
      <h1 id="detail-title">
        {m.direction === "outbound" ? "Message to" : "Message from"} {personLabel(m)}
      </h1>
      <blockquote class={`bubble ${m.direction === "outbound" ? "out" : "in"}`}>{messageText(m)}</blockquote>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          {m.direction === "outbound" && <Ticks message={m} />} <strong>{STATUS_WORDS[m.status] ?? m.status}</strong>
        </dd>
        {m.status === "failed" && (
          <>
            <dt>Why</dt>
            <dd class="failure">
              {err ? `${err.words} (code ${err.code})` : (m.failureReason && FAILURE_REASONS[m.failureReason]) ?? "—"}
              {err?.detail && <div class="muted">Meta: {err.detail}</div>}
            </dd>
          </>
        )}
        <dt>{m.direction === "outbound" ? "To" : "From"}</dt>
        <dd>{[phone(m.waId), m.username && `@${m.username}`, m.userId].filter(Boolean).join(" · ") || "—"}</dd>
        <dt>Created</dt>
        <dd>{dateTime(m.createdAt)}</dd>
        {m.markedReadAt && (
          <>
            <dt>Marked read by Ticks</dt>
            <dd>{dateTime(m.markedReadAt)}</dd>
          </>
        )}
        <dt>wamid</dt>
        <dd class="mono">{m.wamid ?? "—"}</dd>
        <dt>Ticks id</dt>
        <dd class="mono">{m.id}</dd>
        {m.pricing != null && (
          <>
            <dt>Pricing</dt>
            <dd>{pricingText(m.pricing)}</dd>
          </>
        )}
        {m.conversation != null && (
          <>
            <dt>Conversation category</dt>
            <dd>{String((m.conversation as { origin?: { type?: string } }).origin?.type ?? "—")}</dd>
          </>
        )}
      </dl>

      <h2>Timeline</h2>
      {m.events.length === 0 ? (
        <p>No status events yet.</p>
      ) : (
        <ol class="timeline">
          {m.events.map((e) => {
            const eErr = describeError(e.errors);
            return (
              <li key={`${e.status}-${e.timestamp}`} data-status={e.status}>
                <strong>{STATUS_WORDS[e.status] ?? e.status}</strong>{" "}
                <span>Meta's time {dateTime(e.timestamp)}</span>{" "}
                <span class="muted">
                  · received by Ticks {dateTime(e.receivedAt)} (+{seconds(e.timestamp, e.receivedAt)} s)
                </span>
                {eErr && (
                  <div class="failure">
                    {eErr.words} (code {eErr.code})
                  </div>
                )}
                <details>
                  <summary>{e.raw === undefined ? "Event as Ticks recorded it" : "Raw event"}</summary>
                  <pre>{JSON.stringify(e.raw ?? e, null, 2)}</pre>
                </details>
              </li>
            );
          })}
        </ol>
      )}

      <h2>Deliveries to your backend</h2>
      {typeof deliveries === "string" ? (
        <p class="error">{deliveries}</p>
      ) : deliveries.length === 0 ? (
        <p>None: no relay subscription took an event of this message.</p>
      ) : (
        <table class="table">
          <caption class="sr-only">Deliveries of this message's events</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Next attempt</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id}>
                <td>{d.eventType}</td>
                <td>{d.status}</td>
                <td>{d.attempts}</td>
                <td>{d.lastResponseStatus ?? d.lastError ?? "—"}</td>
                <td>{d.nextAttemptAt ? dateTime(d.nextAttemptAt) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

function pricingText(p: unknown): string {
  const x = p as { billable?: boolean; category?: string; pricing_model?: string; type?: string };
  return [x.category, x.pricing_model, x.type, x.billable === false ? "not billable" : x.billable ? "billable" : undefined].filter(Boolean).join(" · ") || "—";
}
