// The support console: a static single-page app (built from console/ by `npm run build` into
// dist/console-ui/), served at /console by the same process. Every data call it makes goes
// through /api with the key the person signed in with; `/` leads to it.
import express, { Router } from "express";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** dist/console-ui, from src/console/ (tsx) and from dist/console/ (node) alike. */
export const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/console-ui");

export function createConsoleRouter(dir = CONSOLE_DIR): Router {
  const router = Router();
  router.get("/", (_req, res) => res.redirect(302, "/console/"));
  router.use(
    "/console",
    (_req, res, next) => {
      if (existsSync(path.join(dir, "index.html"))) return next();
      res.status(503).type("text/plain").send("The console is not built yet: run `npm run build` (npm install does it).\n");
    },
    express.static(dir, {
      index: "index.html",
      setHeaders(res, file) {
        // Vite names assets by their content: they never change. The page itself always may.
        res.setHeader("Cache-Control", file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache");
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Referrer-Policy", "no-referrer");
        if (file.endsWith(".html")) {
          res.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        }
      },
    }),
  );
  return router;
}
