// Where the running Ticks is and which API key the sandbox scripts use: PORT, and the first
// of API_KEYS or the sandbox's key file in DATA_DIR (the same .env as `npm start` reads).
import "dotenv/config";
import { readFile } from "node:fs/promises";
import path from "node:path";

export const ticksUrl = `http://127.0.0.1:${process.env.PORT ?? "3000"}`;

export async function apiKey(): Promise<string> {
  const key =
    process.env.API_KEYS?.split(",")[0]?.trim() ||
    (await readFile(path.join(process.env.DATA_DIR ?? "./.ticks", "sandbox-api-key"), "utf8").catch(() => "")).trim();
  if (!key) {
    console.error("No API key: start Ticks in sandbox mode first (npm start), or set API_KEYS.");
    process.exit(1);
  }
  return key;
}
