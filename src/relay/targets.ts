// Which relay formats have a subscription to take them, as this process last saw it: the
// statements on the webhook path leave out the relay's parts (returning every row to find
// the changed ones, shipping each POST's bytes) when no subscription would take them.
// Refreshed every second, and at once when this process changes a subscription; another
// process's new subscription takes effect here within that second.
import type { Logger } from "pino";
import type { SubscriptionRepository } from "./subscription-repository.ts";

export interface RelayTargets {
  meta: boolean;
  ticks: boolean;
}

/** Until known (or when the database cannot say), everything is queued: nothing is lost. */
export const EVERY_FORMAT: RelayTargets = { meta: true, ticks: true };

export function createRelayTargets(repo: SubscriptionRepository, log: Logger, everyMs = 1_000) {
  let current = EVERY_FORMAT;
  let timer: NodeJS.Timeout | undefined;
  async function refresh(): Promise<void> {
    try {
      current = await repo.formats();
    } catch (err) {
      current = EVERY_FORMAT;
      log.warn({ err }, "relay: could not read the subscriptions; queueing for every format meanwhile");
    }
  }
  return {
    get: (): RelayTargets => current,
    refresh,
    async start() {
      await refresh();
      timer = setInterval(() => void refresh(), everyMs);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}

export type RelayTargetsView = ReturnType<typeof createRelayTargets>;
