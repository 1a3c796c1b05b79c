// prestart: builds dist/ (npm run build: the server and the console) when it is missing or
// older than any file in src/ or console/, so that `npm start` runs the code in the tree with
// node alone. `npm install` builds it too. With --console, only the console (the tests' global
// setup: the browser tests run the built console).
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

const builtAt = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0; // not built
  }
};

const consoleOnly = process.argv.includes("--console");

if (!consoleOnly && builtAt("dist/server.js") < newest("src")) {
  console.warn("ticks: building dist/ (src/ changed since the last build)…");
  execFileSync("npx", ["--no-install", "tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
if (builtAt("dist/console-ui/index.html") < newest("console")) {
  console.warn("ticks: building the console (console/ changed since the last build)…");
  execFileSync("npx", ["--no-install", "vite", "build", "-c", "console/vite.config.ts", "--logLevel", "warn"], { stdio: "inherit" });
}
