// postinstall (after the Prisma client): makes the template a new embedded database starts
// from (src/db/embedded-template.ts), so that the first `npm start` skips PGlite's initdb.
// A failure here costs only that: it is reported and the install goes on.
import { defaultTemplatePath, makeTemplate } from "../src/db/embedded-template.ts";

const started = performance.now();
try {
  const file = defaultTemplatePath();
  const applied = await makeTemplate(file);
  console.warn(`ticks: embedded database template ready (${applied.length} migrations, ${Math.round(performance.now() - started)} ms): ${file}`);
} catch (err) {
  console.warn(`ticks: no embedded database template (a first start will run initdb instead): ${(err as Error).message}`);
}
