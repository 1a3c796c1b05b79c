// One person's conversation as WhatsApp shows it: newest at the bottom, older pages on
// demand, each outbound bubble with its ticks. Live: a change to a message on screen reloads
// that message; a new message with this person reloads the newest page.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, enc, type ApiMessage, type ApiMessagePage } from "../api.ts";
import { Ticks } from "../components/Ticks.tsx";
import { day, messageText, personLabel, phone, time } from "../format.ts";
import { onLive } from "../live.ts";
import { describeError, FAILURE_REASONS } from "../meta-errors.ts";
import { href } from "../router.ts";

const PAGE = 50;

/** Oldest first, without duplicates (a message may come in a page and a live reload). */
function merge(a: ApiMessage[], b: ApiMessage[]): ApiMessage[] {
  const byId = new Map(a.map((m) => [m.id, m]));
  for (const m of b) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id));
}

export function Conversation({ person }: { person: string }) {
  const [messages, setMessages] = useState<ApiMessage[] | null>(null);
  const [older, setOlder] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);
  const known = useRef(new Map<string, string>()); // wamid or id → id
  const stickToBottom = useRef(true);

  const base = `/api/conversations/${enc(person)}?order=desc`;
  const loadNewest = useCallback(async () => {
    const page = await api<ApiMessagePage>(`${base}&limit=${PAGE}`);
    setMessages((prev) => merge(prev ?? [], page.data));
    return page;
  }, [base]);

  useEffect(() => {
    setMessages(null);
    setError(null);
    stickToBottom.current = true;
    loadNewest().then((p) => setOlder(p.nextCursor), (err: Error) => setError(err.message));
  }, [loadNewest]);

  useEffect(() => {
    known.current = new Map((messages ?? []).flatMap((m) => [[m.id, m.id], ...(m.wamid ? [[m.wamid, m.id] as [string, string]] : [])]));
    if (stickToBottom.current && messages?.length) {
      bottom.current?.scrollIntoView({ block: "end" });
      stickToBottom.current = false;
    }
  }, [messages]);

  const people = new Set([person, ...(messages ?? []).flatMap((m) => [m.waId, m.userId, m.parentUserId]).filter((x): x is string => !!x)]);
  const peopleRef = useRef(people);
  peopleRef.current = people;

  useEffect(
    () =>
      onLive(async (batch) => {
        const ids = new Set<string>();
        let fresh = batch.overflow;
        for (const c of batch.changes) {
          const id = (c.id && known.current.get(c.id)) ?? (c.wamid && known.current.get(c.wamid));
          if (id) ids.add(id);
          else if (c.people.some((p) => peopleRef.current.has(p))) fresh = true;
        }
        if (ids.size > 0) {
          const reloaded = (await Promise.all([...ids].map((id) => api<ApiMessage>(`/api/messages/${enc(id)}`).catch(() => null)))).filter((m): m is ApiMessage => !!m);
          if (reloaded.length) setMessages((prev) => merge(prev ?? [], reloaded));
        }
        if (fresh) {
          // Follow new messages only when already at the end (the effect on `messages` scrolls).
          stickToBottom.current = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 80;
          await loadNewest().catch(() => undefined);
        }
      }),
    [loadNewest],
  );

  async function loadOlder() {
    if (!older) return;
    setLoadingOlder(true);
    try {
      const page = await api<ApiMessagePage>(`${base}&limit=${PAGE}&cursor=${enc(older)}`);
      setMessages((prev) => merge(prev ?? [], page.data));
      setOlder(page.nextCursor);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoadingOlder(false);
    }
  }

  const last = messages?.at(-1);
  const title = last ? personLabel({ ...last, contactName: [...(messages ?? [])].reverse().find((m) => m.contactName)?.contactName ?? null }) : person;
  let lastDay = "";

  return (
    <main class="conversation" aria-labelledby="conversation-title">
      <header class="conversation-head">
        <a href={href.find()} class="back">
          ← All conversations
        </a>
        <h1 id="conversation-title">{title}</h1>
        <p class="muted">{[last?.waId && phone(last.waId), last?.username && `@${last.username}`, last?.userId].filter(Boolean).join(" · ")}</p>
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {messages && messages.length === 0 && <p>No messages with {person}.</p>}
      <section class="chat" aria-label="Messages">
        {older && (
          <button type="button" class="older" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? "Loading…" : "Load older messages"}
          </button>
        )}
        <ol class="bubbles">
          {(messages ?? []).map((m) => {
            const d = day(m.createdAt);
            const divider = d !== lastDay;
            lastDay = d;
            return [
              divider && (
                <li class="day" key={`day-${d}`} aria-hidden="true">
                  {d}
                </li>
              ),
              <Bubble key={m.id} m={m} />,
            ];
          })}
        </ol>
        <div ref={bottom} />
      </section>
    </main>
  );
}

function Bubble({ m }: { m: ApiMessage }) {
  const out = m.direction === "outbound";
  const err = m.status === "failed" ? describeError(m.errors) : undefined;
  return (
    <li class={`bubble ${out ? "out" : "in"} ${m.status === "failed" ? "is-failed" : ""}`} data-id={m.id} data-status={m.status}>
      <span class="sr-only">{out ? "Sent by the business: " : "From the customer: "}</span>
      <p class="text">{messageText(m)}</p>
      {m.status === "failed" && (
        <p class="failure">
          {err ? (
            <>
              {err.words} <span class="code">(code {err.code})</span>
            </>
          ) : (
            (m.failureReason && FAILURE_REASONS[m.failureReason]) ?? "Failed."
          )}
        </p>
      )}
      <p class="meta">
        {!out && m.markedReadAt && <span class="marked-read">Marked read {time(m.markedReadAt)} · </span>}
        <a href={href.message(m.id)} class="details" aria-label={`Details of the message of ${time(m.createdAt)}`}>
          <time dateTime={m.createdAt}>{time(m.createdAt)}</time>
        </a>
        {out && <Ticks message={m} />}
      </p>
    </li>
  );
}
