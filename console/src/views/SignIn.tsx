import { useState } from "preact/hooks";
import { api, ApiFailure, session } from "../api.ts";

export function SignIn() {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("/api/stats", key.trim()); // any call behind the key tells whether it is known
      session.signIn(key.trim());
    } catch (err) {
      setError(err instanceof ApiFailure && err.status === 401 ? "That key is not valid. Check it and try again." : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Ticks console</h1>
        <p>Sign in with a Ticks API key (one of API_KEYS; the sandbox prints its key at start).</p>
        <label for="api-key">API key</label>
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
