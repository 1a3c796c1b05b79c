// Builds the Express app from its parts. It never listens and never reads process.env:
// server.ts (the process) and the tests compose it.
import express from "express";
import type { Logger } from "pino";
import type { Database } from "./db/index.ts";
import type { GraphClient } from "./graph/client.ts";
import { errorHandler, notFound } from "./http/error-handler.ts";
import { requestLog } from "./http/request-log.ts";
import { createSendRepository } from "./messages/repository.ts";
import { createSendRouter } from "./messages/send-router.ts";
import { createSendService } from "./messages/send-service.ts";
import type { Emulator } from "./sandbox/emulator.ts";
import { createSandboxRouter } from "./sandbox/router.ts";
import { createIngestService } from "./webhooks/ingest-service.ts";
import { createWebhookRepository } from "./webhooks/repository.ts";
import { createWebhookRouter } from "./webhooks/router.ts";
import { buildOpenApiDocument } from "./queries/openapi.ts";
import { createQueryRepository } from "./queries/repository.ts";
import { createQueryRouter } from "./queries/router.ts";
import { createQueryService } from "./queries/service.ts";
import { createHealthRepository } from "./health/repository.ts";
import { createHealthRouter } from "./health/router.ts";
import { createDeliveryRepository } from "./relay/delivery-repository.ts";
import { createRelayRouter } from "./relay/router.ts";
import { createRelayService } from "./relay/service.ts";
import { createSubscriptionRepository } from "./relay/subscription-repository.ts";
import type { RelayWorker } from "./relay/worker.ts";
import type { RelayTargetsView } from "./relay/targets.ts";
import { createLiveBus, type LiveBus } from "./live/bus.ts";
import { createLiveRouter } from "./live/router.ts";
import { createConsoleRouter } from "./console/router.ts";
import { consoleSessions } from "./console/password.ts";
import { createConsoleSessionRouter } from "./console/session-router.ts";
import { keyMatcher, type Credentials } from "./http/auth.ts";

export interface AppDeps {
  db: Database;
  graph: GraphClient;
  log: Logger;
  apiKeys: string[];
  graphApiVersion: string;
  sendTimeoutMs: number;
  bodyLimit: string;
  appSecret: string;
  verifyToken: string;
  autoRead: boolean;
  /** Writes waiting for a group commit (sends, statuses) before new ones get 503. */
  maxQueuedWrites?: number;
  /** Called when inbound messages were stored (wakes the read-receipt worker). */
  onInbound?: () => void;
  /** Sandbox only: lets a script make the emulator deliver an inbound message. */
  sandbox?: Emulator;
  /** The relay's delivery loop, woken when something was queued or subscriptions changed. */
  relay?: Pick<RelayWorker, "wake" | "refresh">;
  /** Which relay formats have subscribers (default: queue for every format). */
  relayTargets?: Pick<RelayTargetsView, "get" | "refresh">;
  /** Message changes for the console's live view (shared with the read-receipt worker). */
  live?: LiveBus;
  /** The console's password as its scrypt hash: it buys session tokens that read /api. */
  consolePasswordHash?: string | undefined;
}

export interface App {
  /** The Express app (to listen on, or to hand to supertest). */
  express: express.Express;
  /** On shutdown, after the server stopped taking requests: lets work that outlived its request finish. */
  drain(): Promise<void>;
  /** On shutdown, first: ends the console's live streams, which would otherwise keep the server open. */
  closeStreams(): void;
}

export function createApp(deps: AppDeps): App {
  const { db, log } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", false);
  app.use(requestLog(log, { quiet: (path) => path === "/healthz" || path === "/readyz" }));

  app.use(createHealthRouter(createHealthRepository(db)));
  app.use(createConsoleRouter());
  const live = deps.live ?? createLiveBus();

  const sendService = createSendService({
    graph: deps.graph,
    repo: createSendRepository(db, deps.relayTargets?.get),
    log,
    timeoutMs: deps.sendTimeoutMs,
    maxQueued: deps.maxQueuedWrites,
    live,
  });
  app.use(
    createSendRouter(sendService, {
      apiKeys: deps.apiKeys,
      defaultVersion: deps.graphApiVersion,
      bodyLimit: deps.bodyLimit,
    }),
  );

  // The relay's repository without a process identity: this side only queues and reads.
  const deliveries = createDeliveryRepository(db, "api");
  const ingest = createIngestService({
    repo: createWebhookRepository(db, deps.relayTargets?.get),
    autoRead: deps.autoRead,
    onInbound: deps.onInbound,
    maxQueued: deps.maxQueuedWrites,
    relayPosts: (posts) => deliveries.relayPosts(posts),
    relayingPosts: deps.relayTargets && (() => deps.relayTargets!.get().meta),
    onStored: deps.relay && (() => deps.relay!.wake()),
    live,
  });
  app.use(createWebhookRouter(ingest, { appSecret: deps.appSecret, verifyToken: deps.verifyToken, bodyLimit: deps.bodyLimit, log }));
  if (deps.sandbox) app.use(createSandboxRouter(deps.sandbox, deps.apiKeys));

  // /api is read with an API key, or with a console session bought with the console's password.
  const sessions = deps.consolePasswordHash ? consoleSessions(deps.consolePasswordHash, deps.appSecret) : undefined;
  const isKey = keyMatcher(deps.apiKeys);
  const readers: Credentials = sessions ? (t) => isKey(t) || sessions.valid(t) : deps.apiKeys;
  app.use(createConsoleSessionRouter(deps.consolePasswordHash, sessions));
  const liveRouter = createLiveRouter(live, readers);
  app.use(liveRouter.router);
  app.use(createQueryRouter(createQueryService(createQueryRepository(db)), readers));
  const relay = createRelayService({
    subscriptions: createSubscriptionRepository(db),
    deliveries,
    onChange: async () => {
      await deps.relayTargets?.refresh(); // before the answer: what comes next is queued for it
      void deps.relay?.refresh();
    },
    onDue: () => deps.relay?.wake(),
  });
  app.use(createRelayRouter(relay, deps.apiKeys, readers));
  const openapi = buildOpenApiDocument();
  app.get("/openapi.json", (_req, res) => void res.json(openapi));

  app.use(notFound);
  app.use(errorHandler(log, deps.bodyLimit));
  return { express: app, drain: () => sendService.drain(), closeStreams: liveRouter.closeAll };
}
