// The Ticks support console: sign in with an API key, find a conversation, watch its ticks.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { session } from "./api.ts";
import { onLiveState } from "./live.ts";
import { href, useRoute } from "./router.ts";
import { Conversation } from "./views/Conversation.tsx";
import { Find } from "./views/Find.tsx";
import { MessageDetail } from "./views/MessageDetail.tsx";
import { Overview } from "./views/Overview.tsx";
import { SignIn } from "./views/SignIn.tsx";
import "./styles.css";

function useSignedIn() {
  const [key, setKey] = useState(session.key);
  useEffect(() => session.onChange(() => setKey(session.key)), []);
  return key !== null;
}

function LiveBadge() {
  const [state, setState] = useState("closed");
  useEffect(() => onLiveState(setState), []);
  const words = state === "open" ? "Live" : state === "connecting" ? "Reconnecting…" : "Offline";
  return (
    <span class={`live live-${state}`} role="status">
      {words}
    </span>
  );
}

function App() {
  const signedIn = useSignedIn();
  const route = useRoute();
  if (!signedIn) return <SignIn />;
  const q = new URLSearchParams(location.hash.split("?")[1] ?? "").get("q") ?? "";
  return (
    <>
      <a
        class="skip"
        href="#content"
        onClick={(e) => {
          e.preventDefault(); // the hash names the view: move the focus, not the page
          document.getElementById("content")?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <a href={href.find()} class="brand">
          Ticks
        </a>
        <nav aria-label="Main">
          <a href={href.find()} aria-current={route.view === "find" ? "page" : undefined}>
            Conversations
          </a>
          <a href={href.overview()} aria-current={route.view === "overview" ? "page" : undefined}>
            Overview
          </a>
        </nav>
        <LiveBadge />
        <button type="button" class="signout" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <div id="content" tabIndex={-1}>
        {route.view === "find" && <Find initial={q} />}
        {route.view === "conversation" && <Conversation key={route.person} person={route.person} />}
        {route.view === "message" && <MessageDetail key={route.id} id={route.id} />}
        {route.view === "overview" && <Overview />}
      </div>
    </>
  );
}

render(<App />, document.getElementById("app")!);
