// npm run sandbox:inbound -- "Hello from a customer" [from-wa-id] [--username[=name]]
// Makes the running sandbox's emulator deliver a signed inbound message to Ticks, as Meta
// would; Ticks stores it and (AUTO_READ) marks it read through the emulator. With
// --username it comes from a username user whose phone number is withheld (a BSUID only).
import { apiKey, ticksUrl } from "./ticks-api.ts";

const key = await apiKey();
const args = process.argv.slice(2);
const flag = args.find((a) => a === "--username" || a.startsWith("--username="));
const [text = "Hello from the sandbox", from] = args.filter((a) => a !== flag);
const username = flag === undefined ? undefined : flag.includes("=") ? flag.slice("--username=".length) : true;
const res = await fetch(`${ticksUrl}/sandbox/inbound`, {
  method: "POST",
  headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
  body: JSON.stringify({ text, ...(from ? { from } : {}), ...(username !== undefined ? { username } : {}) }),
});
console.log(res.status, await res.text());
process.exit(res.ok ? 0 : 1);
