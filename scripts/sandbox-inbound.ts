// npm run sandbox:inbound -- "Hello from a customer" [from-wa-id] [--username[=name]]
// Makes the running sandbox's emulator deliver a signed inbound message to Ticks, as Meta
// would; Ticks stores it and (AUTO_READ) marks it read through the emulator. With
// --username it comes from a username user whose phone number is withheld (a BSUID only).
import "dotenv/config";
import { readFile } from "node:fs/promises";
import path from "node:path";

const port = process.env.PORT ?? "3000";
const dataDir = process.env.DATA_DIR ?? "./.ticks";
const key =
  process.env.API_KEYS?.split(",")[0]?.trim() ||
  (await readFile(path.join(dataDir, "sandbox-api-key"), "utf8").catch(() => "")).trim();
if (!key) {
  console.error(`No API key: start Ticks in sandbox mode first (npm start), or set API_KEYS.`);
  process.exit(1);
}
const args = process.argv.slice(2);
const flag = args.find((a) => a === "--username" || a.startsWith("--username="));
const [text = "Hello from the sandbox", from] = args.filter((a) => a !== flag);
const username = flag === undefined ? undefined : flag.includes("=") ? flag.slice("--username=".length) : true;
const res = await fetch(`http://127.0.0.1:${port}/sandbox/inbound`, {
  method: "POST",
  headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
  body: JSON.stringify({ text, ...(from ? { from } : {}), ...(username !== undefined ? { username } : {}) }),
});
console.log(res.status, await res.text());
process.exit(res.ok ? 0 : 1);
