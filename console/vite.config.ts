// The support console (a Preact single-page app), built into dist/console-ui and served by
// Ticks at /console. `npm run build` builds it; `npm run console:dev` serves it with hot
// reload, its /api calls proxied to a Ticks on port 3000.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/console-ui", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
  },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
