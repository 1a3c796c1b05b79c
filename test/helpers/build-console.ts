// Vitest's global setup: the browser tests run the built console (dist/console-ui), so it is
// rebuilt first when console/ changed since the last build.
import { execFileSync } from "node:child_process";

export default function setup() {
  execFileSync(process.execPath, ["scripts/build-if-stale.mjs", "--console"], { stdio: "inherit" });
}
