// Sandbox only: POST /sandbox/inbound {from?, name?, text, phoneNumberId?} makes the
// emulator deliver a signed inbound message to Ticks, as Meta would
// (scripts/sandbox-inbound.ts calls it).
import express, { Router } from "express";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { requireApiKey } from "../http/auth.ts";
import type { Emulator } from "./emulator.ts";

const InboundRequestSchema = z.object({
  from: z.string().regex(/^\d{6,15}$/).default("16505551234"),
  name: z.string().min(1).default("Sandbox User"),
  text: z.string().min(1).max(4096),
  phoneNumberId: z.string().regex(/^\d+$/).default("106540352242922"),
});

export function createSandboxRouter(emulator: Emulator, apiKeys: string[]): Router {
  const router = Router();
  router.post(
    "/sandbox/inbound",
    requireApiKey(apiKeys, () => new AppError("unauthorized", "Missing or unknown API key.")),
    express.json(),
    async (req, res) => {
      const parsed = InboundRequestSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new AppError("bad_request", "Invalid inbound request.", parsed.error.issues);
      const { status, wamid } = await emulator.deliverInbound(parsed.data);
      res.status(status === 200 ? 200 : 502).json({ wamid, webhookStatus: status });
    },
  );
  return router;
}
