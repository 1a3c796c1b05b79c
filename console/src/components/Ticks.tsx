// WhatsApp's status marks: a clock while Meta has not confirmed it, one grey tick sent, two
// grey delivered, two blue read (or played), a red mark failed. Each says so in words to
// screen readers and on hover.
import type { ApiMessage } from "../api.ts";
import { STATUS_WORDS, time } from "../format.ts";

const when = (m: ApiMessage) =>
  ({ read: m.readAt, played: m.playedAt ?? m.readAt, delivered: m.deliveredAt, sent: m.sentAt, failed: m.failedAt, accepted: m.acceptedAt })[m.status as string] ?? null;

export function Ticks({ message }: { message: ApiMessage }) {
  const s = message.status;
  const at = when(message);
  const label = `${STATUS_WORDS[s] ?? s}${at ? ` at ${time(at)}` : ""}`;
  const common = { role: "img" as const, "aria-label": label, class: `ticks ticks-${s}`, "data-status": s, viewBox: "0 0 18 12", width: 18, height: 12 };
  if (s === "failed") {
    return (
      <svg {...common} viewBox="0 0 12 12" width={14} height={14}>
        <title>{label}</title>
        <circle cx="6" cy="6" r="6" fill="currentColor" />
        <path d="M6 2.5v4.2M6 8.6v.9" stroke="#fff" stroke-width="1.6" stroke-linecap="round" />
      </svg>
    );
  }
  if (s === "pending" || s === "accepted") {
    return (
      <svg {...common} viewBox="0 0 12 12" width={13} height={13}>
        <title>{label}</title>
        <circle cx="6" cy="6" r="5" fill="none" stroke="currentColor" stroke-width="1.3" />
        <path d="M6 3v3.2l2 1.3" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" />
      </svg>
    );
  }
  const double = s === "delivered" || s === "read" || s === "played";
  return (
    <svg {...common}>
      <title>{label}</title>
      <path d="M1 6.5l3 3L11 2.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
      {double && <path d="M7.5 9.5L14.5 2.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />}
    </svg>
  );
}
