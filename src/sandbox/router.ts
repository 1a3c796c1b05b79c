// Sandbox only: POST /sandbox/inbound {from?, name?, text, phoneNumberId?, username?} makes
// the emulator deliver a signed inbound message to Ticks, as Meta would
// (scripts/sandbox-inbound.ts calls it). With `username` (true, or the username itself) it
// comes from a username user whose phone is withheld: a BSUID and no phone number.
import express, { Router } from "express";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { issuesList } from "../validation.ts";
import { requireApiKey } from "../http/auth.ts";
import { SANDBOX_USERNAME, type Emulator } from "./emulator.ts";

const InboundRequestSchema = z.object({
  from: z.string().regex(/^\d{6,15}$/).default("16505551234"),
  name: z.string().min(1).default("Sandbox User"),
  text: z.string().min(1).max(4096),
  phoneNumberId: z.string().regex(/^\d+$/).default("106540352242922"),
  username: z
    .union([z.literal(true), z.string().regex(/^[A-Za-z0-9._]{3,35}$/, "letters, digits, dots and underscores")])
    .optional()
    .transform((u) => (u === true ? SANDBOX_USERNAME : u)),
});

export function createSandboxRouter(emulator: Emulator, apiKeys: string[]): Router {
  const router = Router();
  router.post(
    "/sandbox/inbound",
    requireApiKey(apiKeys, () => new AppError("unauthorized", "Missing or unknown API key.")),
    express.json(),
    async (req, res) => {
      const parsed = InboundRequestSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new AppError("bad_request", "Invalid inbound request.", issuesList(parsed.error));
      const { username, ...rest } = parsed.data;
      const { status, wamid, userId } = await emulator.deliverInbound({ ...rest, ...(username ? { username } : {}) });
      res.status(status === 200 ? 200 : 502).json({ wamid, userId, ...(username ? { username } : { from: rest.from }), webhookStatus: status });
    },
  );
  return router;
}
