import { useState } from "preact/hooks";
import { api, ApiFailure, session } from "../api.ts";

export function SignIn() {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** An API key reads /api as it is; a console password is traded for a session token. */
  async function submit(e: Event) {
    e.preventDefault();
    const secret = key.trim();
    setBusy(true);
    setError(null);
    try {
      try {
        await api("/api/stats", secret); // any call behind the key tells whether it is known
        session.signIn(secret);
        return;
      } catch (err) {
        if (!(err instanceof ApiFailure && err.status === 401)) throw err;
      }
      const res = await fetch("/api/console/session", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ password: secret }),
      });
      if (res.ok) return session.signIn(((await res.json()) as { token: string }).token);
      setError(res.status === 429 ? "Too many wrong attempts: wait a minute, then try again." : "That is not a valid API key or console password.");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Ticks console</h1>
        <p>Sign in with a Ticks API key (one of API_KEYS; the sandbox prints its key at start) or the console password.</p>
        <label for="api-key">API key or console password</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
