// The process: configuration → database → (sandbox emulator) → app → listen.
// SIGTERM/SIGINT stop accepting, let in-flight requests finish, then close the database,
// within SHUTDOWN_TIMEOUT_MS (close-with-grace); an uncaught error or rejection ends the
// process the same way. A start that cannot go on says why in one line and exits with 1.
import "dotenv/config";
import closeWithGrace from "close-with-grace";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Server } from "node:http";
import { createLogger } from "./logger.ts";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { openDatabase } from "./db/index.ts";
import { createGraphClient } from "./graph/client.ts";
import { createHttpServer } from "./http/server.ts";
import { startEmulator, type Emulator } from "./sandbox/emulator.ts";
import { createSendRepository } from "./messages/repository.ts";
import { createReadReceiptWorker } from "./webhooks/read-receipts.ts";
import { createReadReceiptRepository } from "./webhooks/read-receipt-repository.ts";
import { createDeliveryRepository } from "./relay/delivery-repository.ts";
import { createSubscriptionRepository } from "./relay/subscription-repository.ts";
import { createRelayWorker } from "./relay/worker.ts";
import { createRelayTargets } from "./relay/targets.ts";
import { createLiveBus } from "./live/bus.ts";
import { describeDatabase, explainStartupFailure } from "./startup-errors.ts";

export interface StartOptions {
  /** How often sends left pending past their deadline are looked for (default 60 s). */
  sweepEveryMs?: number;
}

export async function start(config: Config, { sweepEveryMs = 60_000 }: StartOptions = {}) {
  const log = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const db = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
    onPoolError: (err) => log.warn({ err }, "database connection lost"),
  });
  log.info(
    { database: describeDatabase(config.DATABASE_URL, config.DATA_DIR), migrationsApplied: db.appliedMigrations, ...(db.fromTemplate ? { createdFrom: "the install-time template" } : {}) },
    db.appliedMigrations.length ? `database ready; applied ${db.appliedMigrations.length} migration(s)` : "database ready; migrations up to date",
  );

  let emulator: Emulator | undefined;
  let accessToken = config.WHATSAPP_ACCESS_TOKEN ?? "";
  let appSecret = config.WHATSAPP_APP_SECRET ?? "";
  let verifyToken = config.WHATSAPP_VERIFY_TOKEN ?? "";
  let graphUrl = config.GRAPH_API_URL;
  if (config.sandbox) {
    // The sandbox's own credentials, shared only with its emulator.
    accessToken = `sandbox-${randomBytes(16).toString("hex")}`;
    appSecret = randomBytes(16).toString("hex");
    verifyToken = "sandbox";
    emulator = await startEmulator({ accessToken });
    graphUrl = emulator.url;
  }
  const apiKeys = config.API_KEYS ?? [await sandboxApiKey(config.DATA_DIR)];

  const graph = createGraphClient({ baseUrl: graphUrl, accessToken, log });
  const live = createLiveBus();
  const receipts = createReadReceiptWorker({ repo: createReadReceiptRepository(db), graph, log, graphApiVersion: config.GRAPH_API_VERSION, live });
  const relay = createRelayWorker({ repo: (owner) => createDeliveryRepository(db, owner), log });
  const relaySecret = config.RELAY_SECRET ?? appSecret;
  const subscriptions = createSubscriptionRepository(db);
  const envSubscription = await subscriptions.syncEnv(config.RELAY_URL ? { url: config.RELAY_URL, secret: relaySecret } : undefined);
  const relayTargets = createRelayTargets(subscriptions, log);
  await relayTargets.start();
  const app = createApp({
    appSecret,
    verifyToken,
    autoRead: config.AUTO_READ,
    onInbound: () => receipts.wake(),
    relay,
    relayTargets,
    live,
    sandbox: emulator,
    db,
    graph,
    log,
    apiKeys,
    consolePasswordHash: config.CONSOLE_PASSWORD_HASH,
    graphApiVersion: config.GRAPH_API_VERSION,
    sendTimeoutMs: config.SEND_TIMEOUT_MS,
    bodyLimit: config.BODY_LIMIT,
    maxQueuedWrites: config.MAX_QUEUED_WRITES,
  });

  const sends = createSendRepository(db);
  const sweep = async () => {
    const n = await sends.failExpiredPending().catch((err: unknown) => (log.warn({ err }, "pending sweep failed"), 0));
    if (n > 0) log.warn({ count: n }, "sends left pending past their deadline marked failed/unconfirmed");
  };
  await sweep();
  const sweeper = setInterval(sweep, sweepEveryMs);
  sweeper.unref();

  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      const s = createHttpServer(app.express);
      s.once("error", reject); // EADDRINUSE, EACCES
      s.listen(config.PORT, () => {
        s.off("error", reject);
        resolve(s);
      });
    });
  } catch (err) {
    clearInterval(sweeper);
    relayTargets.stop();
    await emulator?.close();
    await db.close();
    throw err;
  }
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  emulator?.setWebhook({ url: `http://127.0.0.1:${port}/webhook`, appSecret, delaysMs: config.SANDBOX_STATUS_DELAYS_MS });
  receipts.start();
  await relay.start();
  log.info({ port, sandbox: config.sandbox }, "Ticks is listening");
  if (envSubscription) {
    log.info({ subscriptionId: envSubscription.id, to: new URL(envSubscription.url).origin, disabled: envSubscription.disabled }, "relay: every webhook POST is passed on to RELAY_URL");
    if (config.sandbox && !config.RELAY_SECRET) console.log(`\nRelay: POSTs to ${new URL(envSubscription.url).origin} are signed (X-Hub-Signature-256) with the sandbox's app secret:\n  ${appSecret}\n`);
  }
  if (config.sandbox) {
    log.warn({ emulator: emulator?.url }, "SANDBOX: no WhatsApp credentials, so nothing reaches Meta; sends go to the built-in Cloud API emulator");
  }
  if (!config.API_KEYS) {
    // Printed plainly as well, so that a person starting Ticks can copy it.
    console.log(`\nSandbox API key (send it as "Authorization: Bearer <key>"):\n  ${apiKeys[0]}\n`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info("shutting down: draining in-flight requests");
      clearInterval(sweeper);
      relayTargets.stop();
      app.closeStreams();
      // The workers end their attempts while in-flight requests finish: side by side, so that
      // their deadlines do not add up.
      await Promise.all([
        receipts.stop(),
        relay.stop(),
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }).then(() => app.drain()),
      ]);
      await emulator?.close();
      await db.close();
      log.info("stopped");
    })());

  return { server, port, db, apiKeys, emulator, log, stop };
}

/** The sandbox's API key, made once and kept in DATA_DIR so that it survives restarts. */
async function sandboxApiKey(dataDir: string): Promise<string> {
  if (dataDir.startsWith("memory://")) return `ticks_sandbox_${randomBytes(16).toString("hex")}`;
  const file = path.join(dataDir, "sandbox-api-key");
  const existing = await readFile(file, "utf8").catch(() => "");
  if (existing.trim()) return existing.trim();
  const key = `ticks_sandbox_${randomBytes(16).toString("hex")}`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start(config);
  } catch (err) {
    const line = explainStartupFailure(err, { port: config.PORT, databaseUrl: config.DATABASE_URL });
    if (!line) throw err; // a bug: keep its stack trace
    console.error(`Ticks cannot start: ${line}`);
    process.exit(1);
  }
  // SIGTERM, SIGINT, an uncaught exception or an unhandled rejection: stop cleanly, and exit
  // with 1 anyway if that takes longer than SHUTDOWN_TIMEOUT_MS.
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) running.log.fatal({ err }, "unexpected error: stopping");
    else running.log.info({ signal }, "signal received: stopping");
    await running.stop();
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
