// prestart: builds dist/ (npm run build) when it is missing or older than any file in src/,
// so that `npm start` runs the code in the tree with node alone. `npm install` builds it too.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let built = 0;
try {
  built = statSync("dist/server.js").mtimeMs;
} catch {
  /* not built */
}
if (built < newest("src")) {
  console.warn("ticks: building dist/ (src/ changed since the last build)…");
  execFileSync("npx", ["--no-install", "tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
