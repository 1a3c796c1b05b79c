// The delivery funnel and failures by Meta's code for a window, and the window's failed
// messages, exportable as CSV.
import { useEffect, useState } from "preact/hooks";
import { api, enc, type ApiMessage, type ApiMessagePage, type ApiStats } from "../api.ts";
import { BarChart } from "../components/BarChart.tsx";
import { dateTime, messageText, personLabel } from "../format.ts";
import { describeError, FAILURE_REASONS } from "../meta-errors.ts";
import { href } from "../router.ts";

const WINDOWS = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
type Window = keyof typeof WINDOWS;
const MAX_FAILED = 5_000;

export function Overview() {
  const [win, setWin] = useState<Window>("24h");
  const [stats, setStats] = useState<ApiStats | null>(null);
  const [failed, setFailed] = useState<ApiMessage[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const until = new Date();
    const since = new Date(until.getTime() - WINDOWS[win]);
    const range = `since=${enc(since.toISOString())}&until=${enc(until.toISOString())}`;
    setStats(null);
    setFailed(null);
    setError(null);
    (async () => {
      try {
        const s = await api<ApiStats>(`/api/stats?${range}`);
        if (live) setStats(s);
        const rows: ApiMessage[] = [];
        let cursor: string | null = null;
        do {
          const page: ApiMessagePage = await api<ApiMessagePage>(`/api/messages?status=failed&direction=outbound&limit=500&${range}${cursor ? `&cursor=${enc(cursor)}` : ""}`);
          rows.push(...page.data);
          cursor = page.nextCursor;
        } while (cursor && rows.length < MAX_FAILED && live);
        if (live) {
          setFailed(rows);
          setMore(cursor !== null);
        }
      } catch (err) {
        if (live) setError((err as Error).message);
      }
    })();
    return () => void (live = false);
  }, [win]);

  return (
    <main class="overview" aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <fieldset class="windows">
        <legend>Window</legend>
        {(Object.keys(WINDOWS) as Window[]).map((w) => (
          <label key={w}>
            <input type="radio" name="window" value={w} checked={w === win} onChange={() => setWin(w)} /> Last {w}
          </label>
        ))}
      </fieldset>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {stats && (
        <>
          <p>
            {stats.outbound} sent by the business, {stats.inbound} received.{" "}
            {stats.funnel.deliveredRate !== null && `${Math.round(stats.funnel.deliveredRate * 100)}% delivered`}
            {stats.funnel.readRate !== null && `, ${Math.round(stats.funnel.readRate * 100)}% of those read`}.
          </p>
          <div class="charts">
            <BarChart
              title="Delivery funnel"
              labels={["Sent", "Delivered", "Read", "Failed"]}
              values={[stats.funnel.sent, stats.funnel.delivered, stats.funnel.read, stats.funnel.failed]}
              colors={["#8696a0", "#54656f", "#027eb5", "#c62828"]}
            />
            <BarChart
              title="Failures by Meta's code"
              labels={stats.failuresByCode.length ? stats.failuresByCode.map((f) => f.code) : ["none"]}
              values={stats.failuresByCode.length ? stats.failuresByCode.map((f) => f.count) : [0]}
              colors={["#c62828"]}
            />
          </div>
        </>
      )}
      <div class="section-head">
        <h2>Failed messages</h2>
        <button type="button" disabled={!failed?.length} onClick={() => failed && download(failed, win)}>
          Export CSV
        </button>
      </div>
      {!failed && !error && <p aria-live="polite">Loading…</p>}
      {failed && failed.length === 0 && <p>No failed message in this window.</p>}
      {more && <p class="muted">Showing (and exporting) the newest {failed?.length}; narrow the window to see all.</p>}
      {failed && failed.length > 0 && (
        <table class="table failed-list">
          <caption class="sr-only">Failed messages of the window</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">To</th>
              <th scope="col">Message</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {failed.map((m) => {
              const e = describeError(m.errors);
              return (
                <tr key={m.id}>
                  <td>
                    <a href={href.message(m.id)}>{dateTime(m.createdAt)}</a>
                  </td>
                  <td>{personLabel(m)}</td>
                  <td>{messageText(m)}</td>
                  <td>{e ? `${e.words} (code ${e.code})` : (m.failureReason && FAILURE_REASONS[m.failureReason]) ?? "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </main>
  );
}

const cell = (v: unknown) => {
  const s = v == null ? "" : String(v);
  // A cell a spreadsheet would run as a formula starts with a quote (OWASP's CSV injection advice).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r\t']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

function download(rows: ApiMessage[], win: string) {
  const header = ["createdAt", "id", "wamid", "to", "userId", "type", "failureReason", "code", "error"];
  const lines = rows.map((m) => {
    const e = describeError(m.errors);
    return [m.createdAt, m.id, m.wamid, m.to ?? m.waId, m.userId, m.type, m.failureReason, e?.code, e?.detail ?? e?.words].map(cell).join(",");
  });
  const blob = new Blob([[header.join(","), ...lines].join("\r\n") + "\r\n"], { type: "text/csv" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `ticks-failed-${win}-${new Date().toISOString().slice(0, 16).replace(":", "")}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
