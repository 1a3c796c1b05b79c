// Find a conversation: by phone number (any formatting), BSUID, contact name or username; a
// wamid or Ticks' id opens that message. Without a search: recent conversations first.
import { useEffect, useState } from "preact/hooks";
import { api, ApiFailure, enc, type ApiConversationList } from "../api.ts";
import { Ticks } from "../components/Ticks.tsx";
import { messageText, personLabel, phone, dateTime } from "../format.ts";
import { href } from "../router.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isMessageId = (q: string) => q.startsWith("wamid.") || UUID.test(q);

export function Find({ initial }: { initial: string }) {
  const [q, setQ] = useState(initial);
  const [searched, setSearched] = useState(initial);
  const [list, setList] = useState<ApiConversationList["data"] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setList(null);
    setError(null);
    const query = searched.trim();
    (async () => {
      if (isMessageId(query)) {
        try {
          const m = await api<{ id: string }>(`/api/messages/${enc(query)}`);
          if (!live) return;
          // Searched here: Back returns to the search. Opened as #/?q=<id>: that address is only a way in.
          if (query === initial.trim()) location.replace(href.message(m.id));
          else location.hash = href.message(m.id);
        } catch (err) {
          if (live) setError(err instanceof ApiFailure && err.status === 404 ? `No message with id or wamid ${query}.` : (err as Error).message);
        }
        return;
      }
      try {
        const found = await api<ApiConversationList>(`/api/conversations?limit=30${query ? `&q=${enc(query)}` : ""}`);
        if (live) setList(found.data);
      } catch (err) {
        if (live) setError((err as Error).message);
      }
    })();
    return () => void (live = false);
  }, [searched]);

  return (
    <main class="find">
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearched(q);
          // A name or number searched stays in the address (Back finds it again); a message id opens the message.
          if (!isMessageId(q.trim())) history.replaceState(null, "", q.trim() ? `#/?q=${enc(q.trim())}` : "#/");
        }}
      >
        <label for="find-q">Find a customer or a message</label>
        <div class="row">
          <input id="find-q" type="search" placeholder="Phone number, name, @username, BSUID, wamid or id" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          <button type="submit">Find</button>
        </div>
      </form>
      <h2>{searched.trim() ? `Conversations matching “${searched.trim()}”` : "Recent conversations"}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!list && !error && <p aria-live="polite">Loading…</p>}
      {list && list.length === 0 && <p>No conversation found. Try the number with its country code, or the start of the name.</p>}
      {list && list.length > 0 && (
        <ul class="conversations">
          {list.map((c) => (
            <li key={c.person}>
              <a href={href.conversation(c.person)} class="conversation-link">
                <span class="who">
                  <strong>{personLabel({ ...c.lastMessage, contactName: c.contactName })}</strong>
                  <span class="muted">{[c.waId && phone(c.waId), c.username && `@${c.username}`].filter(Boolean).join(" · ")}</span>
                </span>
                <span class="preview">
                  {c.lastMessage.direction === "outbound" && <Ticks message={c.lastMessage} />} {messageText(c.lastMessage)}
                </span>
                <time class="muted" dateTime={c.lastMessage.createdAt}>
                  {dateTime(c.lastMessage.createdAt)}
                </time>
              </a>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
