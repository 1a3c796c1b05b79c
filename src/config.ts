// The environment, parsed once at start (docs/configuration.md). Every bad key is reported
// in one error so that a misconfigured process says everything at once.
import { z } from "zod";
import { httpUrl, issueLines } from "./validation.ts";
import { PASSWORD_HASH, usableHash } from "./console/password.ts";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** Sizes as Express/`bytes` write them: "3mb", "512kb", "1048576". */
const byteSize = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, "a size such as 3mb, 512kb or 1048576");

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "a postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./.ticks"),
  WHATSAPP_ACCESS_TOKEN: z.string().min(1).optional(),
  WHATSAPP_APP_SECRET: z.string().min(1).optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().min(1).optional(),
  GRAPH_API_URL: z.url().default("https://graph.facebook.com"),
  GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, "a version such as v24.0").default("v24.0"),
  API_KEYS: z
    .string()
    .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(16, "each key at least 16 characters")).min(1))
    .optional(),
  AUTO_READ: bool.default(true),
  SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  BODY_LIMIT: byteSize.default("3mb"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `pretty` for people, `json` for machines; default: pretty when stdout is a terminal. */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  /** Deadline of every database statement, so that one stuck statement cannot stall a writer. */
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** Items (sends' writes, webhook statuses) waiting for a group commit before new ones get 503. */
  MAX_QUEUED_WRITES: z.coerce.number().int().min(10).max(1_000_000).default(10_000),
  /**
   * How long shutdown may take, in-flight requests and late writes included, before the
   * process exits anyway. Default: SEND_TIMEOUT_MS + 10 s, so that a send waiting for Meta ends.
   */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(900_000).optional(),
  /** Your backend's webhook URL: every webhook POST is passed on to it, re-signed (docs/relay.md). */
  RELAY_URL: httpUrl().optional(),
  /** The key RELAY_URL's POSTs are signed with (default: the app secret Ticks verifies Meta with). */
  RELAY_SECRET: z.string().min(8).optional(),
  /** The support console's password, as `npm run console:password` hashes it (docs/console.md). */
  CONSOLE_PASSWORD_HASH: z
    .string()
    .regex(PASSWORD_HASH, "a hash made by npm run console:password (scrypt$…)")
    .refine(usableHash, "scrypt parameters out of range: make it again with npm run console:password")
    .optional(),
  /**
   * Sandbox only: after how many ms the emulator posts `sent`, `delivered` and `read` for a
   * send ("200,600,1500"); slower ones let a person watch each tick arrive.
   */
  SANDBOX_STATUS_DELAYS_MS: z
    .string()
    .regex(/^\s*\d{1,6}\s*,\s*\d{1,6}\s*,\s*\d{1,6}\s*$/, "three delays in ms, for sent, delivered and read: 200,600,1500")
    .transform((s) => {
      const [sent, delivered, read] = s.split(",").map(Number) as [number, number, number];
      return { sent, delivered, read };
    })
    .default({ sent: 200, delivered: 600, read: 1_500 }),
  NODE_ENV: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export type Config = Omit<Env, "SHUTDOWN_TIMEOUT_MS"> & {
  SHUTDOWN_TIMEOUT_MS: number;
  /** No WhatsApp credentials: Ticks runs its built-in Cloud API emulator. */
  sandbox: boolean;
};

export class ConfigError extends Error {}

const WHATSAPP_KEYS = ["WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"] as const;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (as `KEY=` in a .env file) mean "unset".
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : issueLines(parsed.error);

  const present = WHATSAPP_KEYS.filter((k) => env[k] !== undefined);
  if (present.length === 0 && env.NODE_ENV === "production") {
    // A production deploy that lost its secrets must not answer sends with fake wamids.
    problems.push(`${WHATSAPP_KEYS.join(", ")}: missing (NODE_ENV=production never runs the sandbox; set the three WhatsApp keys)`);
  }
  if (present.length > 0 && present.length < WHATSAPP_KEYS.length) {
    const missing = WHATSAPP_KEYS.filter((k) => env[k] === undefined);
    problems.push(
      `${missing.join(", ")}: missing (set all three WhatsApp keys for Meta, or none for the sandbox)`,
    );
  }
  if (present.length === WHATSAPP_KEYS.length && env.API_KEYS === undefined) {
    problems.push("API_KEYS: required with real WhatsApp credentials (only the sandbox generates one)");
  }
  const sendTimeout = parsed.success ? parsed.data.SEND_TIMEOUT_MS : 0;
  if (parsed.success && parsed.data.SHUTDOWN_TIMEOUT_MS !== undefined && parsed.data.SHUTDOWN_TIMEOUT_MS < sendTimeout + 5_000) {
    problems.push(`SHUTDOWN_TIMEOUT_MS: at least SEND_TIMEOUT_MS + 5000 (${sendTimeout + 5_000}), or a send waiting for Meta would be cut off`);
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return { ...parsed.data, SHUTDOWN_TIMEOUT_MS: parsed.data.SHUTDOWN_TIMEOUT_MS ?? sendTimeout + 10_000, sandbox: present.length === 0 };
}
