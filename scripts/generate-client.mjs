// postinstall: generates the Prisma client into src/generated/prisma (not committed).
// `prisma generate` does not need Prisma's native schema engine, but the CLI insists on
// finding one (it tries to download it, which fails offline); any existing file will do.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
execFileSync("npx", ["--no-install", "prisma", "generate"], { stdio: "inherit", env });
