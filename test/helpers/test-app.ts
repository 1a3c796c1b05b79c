// Ticks as the tests see it: the real app on a database of the file's own, talking to
// the real sandbox emulator over HTTP (Meta's side), driven through supertest.
import { randomBytes } from "node:crypto";
import { pino, type Logger } from "pino";
import supertest from "supertest";
import { createApp, type App, type AppDeps } from "../../src/app.ts";
import type { Database } from "../../src/db/index.ts";
import { createGraphClient } from "../../src/graph/client.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { startEmulator, type Emulator, type EmulatorOptions, type ScriptedAnswer } from "../../src/sandbox/emulator.ts";
import { createReadReceiptWorker, type ReadReceiptWorker } from "../../src/webhooks/read-receipts.ts";
import { createReadReceiptRepository } from "../../src/webhooks/read-receipt-repository.ts";
import { createTestDatabase, type TestDatabase } from "./test-db.ts";
import { createDeliveryRepository } from "../../src/relay/delivery-repository.ts";
import { createRelayWorker, type RelayWorker, type RelayWorkerOptions } from "../../src/relay/worker.ts";
import { createRelayTargets } from "../../src/relay/targets.ts";
import { createSubscriptionRepository } from "../../src/relay/subscription-repository.ts";

export const API_KEY = "test_api_key_0123456789abcdef";
export const ACCESS_TOKEN = "test-access-token";
export const APP_SECRET = "test_app_secret"; // the secret of the signature test vectors (test/webhooks/signature.test.ts)
export const VERIFY_TOKEN = "test-verify-token";

export interface TestApp {
  http: ReturnType<typeof supertest>;
  db: Database;
  testDb: TestDatabase;
  /** Meta's side; `enqueue` scripts the answers to the next requests, in order, before its own behaviour. */
  emulator: Emulator & { enqueue(...answers: ScriptedAnswer[]): void };
  deps: AppDeps;
  app: App;
  /** The read-receipt worker; running (and woken by inbound messages) only with startWorker. */
  receipts: ReadReceiptWorker;
  /** The relay's delivery loop, with the `relay` option. */
  relay: RelayWorker | undefined;
  close(): Promise<void>;
}

export interface TestAppOptions {
  sendTimeoutMs?: number;
  emulator?: Partial<EmulatorOptions>;
  bodyLimit?: string;
  autoRead?: boolean;
  startWorker?: boolean;
  leaseMs?: number;
  /** The app's logger (default: silent, or TEST_LOG_LEVEL). */
  log?: Logger;
  /** Reuse a database (two "processes" on one database). */
  testDb?: TestDatabase;
  maxQueuedWrites?: number;
  /** Where the Graph API is (default: the emulator). */
  graphBaseUrl?: string;
  /** Leave the relay's parts out of the webhook statements when no subscription would take them (as `npm start` does). */
  relayTargets?: boolean;
  /** The console's password hash (CONSOLE_PASSWORD_HASH). */
  consolePasswordHash?: string;
  /** Run the relay's delivery loop (polling every 50 ms), with these overrides. */
  relay?: boolean | Partial<Pick<RelayWorkerOptions, "retryDelaysMs" | "timeoutMs" | "concurrency" | "prefetch">>;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const testDb = opts.testDb ?? (await createTestDatabase());
  const scripted: ScriptedAnswer[] = [];
  const started = await startEmulator({ accessToken: ACCESS_TOKEN, ratePerSecond: 10_000, historyLimit: 100_000, override: () => scripted.shift(), ...opts.emulator });
  const forget = started.reset;
  const emulator = Object.assign(started, {
    enqueue: (...answers: ScriptedAnswer[]) => void scripted.push(...answers),
    reset: () => {
      scripted.length = 0;
      forget();
    },
  });
  const deps: AppDeps = {
    db: testDb.db,
    graph: createGraphClient({ baseUrl: opts.graphBaseUrl ?? emulator.url, accessToken: ACCESS_TOKEN, minBackoffMs: 5, maxBackoffMs: 20 }),
    log: opts.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    apiKeys: [API_KEY],
    graphApiVersion: "v24.0",
    sendTimeoutMs: opts.sendTimeoutMs ?? 5_000,
    bodyLimit: opts.bodyLimit ?? "3mb",
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    autoRead: opts.autoRead ?? true,
    ...(opts.maxQueuedWrites ? { maxQueuedWrites: opts.maxQueuedWrites } : {}),
    consolePasswordHash: opts.consolePasswordHash,
  };
  const receipts = createReadReceiptWorker({
    repo: createReadReceiptRepository(testDb.db),
    graph: deps.graph,
    log: deps.log,
    graphApiVersion: deps.graphApiVersion,
    pollMs: 50,
    leaseMs: opts.leaseMs ?? 60_000,
    callTimeoutMs: 2_000,
    backoff: () => 30,
  });
  // Without startWorker, receipts go out only when a test drains them (receipts.kick()).
  if (opts.startWorker) {
    deps.onInbound = () => receipts.wake();
    receipts.start();
  }
  const relay = opts.relay
    ? createRelayWorker({ repo: (owner) => createDeliveryRepository(testDb.db, owner), log: deps.log, pollMs: 50, ...(typeof opts.relay === "object" ? opts.relay : {}) })
    : undefined;
  if (relay) {
    deps.relay = relay;
    await relay.start();
  }
  const targets = opts.relayTargets ? createRelayTargets(createSubscriptionRepository(testDb.db), deps.log, 50) : undefined;
  if (targets) {
    await targets.start();
    deps.relayTargets = targets;
  }
  const app = createApp(deps);
  return {
    http: supertest(createHttpServer(app.express)), // the server src/server.ts listens with
    db: testDb.db,
    testDb,
    emulator,
    deps,
    app,
    receipts,
    relay,
    async close() {
      await receipts.stop();
      await relay?.stop();
      targets?.stop();
      await app.drain();
      await emulator.close();
      if (!opts.testDb) await testDb.drop();
    },
  };
}

/** A phone number id of the test's own, so that rows never mix between tests. */
export const phoneNumberId = () => `1${randomBytes(6).readUIntBE(0, 6).toString().padStart(14, "0")}`;
export const waId = () => `1650${randomBytes(4).readUInt32BE(0).toString().padStart(10, "0")}`;
export const auth = { Authorization: `Bearer ${API_KEY}` };
