// npm run bench:console — how fast the console opens a conversation on a database of SEED
// (default 1,000,000) messages: Ticks on real Postgres (a copy of the benchmarks' seeded
// template), Debian's chromium through playwright-core (`apt-get install chromium`). Prints,
// for RUNS random people, the time from following a conversation's link (the app loaded) to
// its bubbles on screen, and the same after a full page load; and the name search's time.
import { chromium } from "playwright-core";
import { createDatabase, dropDatabase, ensureTemplate, fmt, median, seedTemplate, startTicksProcess } from "./bench/lib.ts";
import { CHROMIUM } from "../test/helpers/browser.ts";

const SEED = Number(process.env.SEED ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 15);
const API_KEY = "bench_api_key_0123456789abcdef";

await ensureTemplate(SEED);
const name = `ticks_bench_console_${process.pid}`;
const url = await createDatabase(name, seedTemplate(SEED));
const ticks = await startTicksProcess({ DATABASE_URL: url, WHATSAPP_ACCESS_TOKEN: "x", WHATSAPP_APP_SECRET: "x", WHATSAPP_VERIFY_TOKEN: "x", API_KEYS: API_KEY, LOG_LEVEL: "warn" });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.goto(`${ticks.url}/console/`);
  await page.getByLabel("API key").fill(API_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /Recent conversations/ }).waitFor();

  const person = () => `1650${String(Math.floor(Math.random() * 50_000)).padStart(7, "0")}`; // as scripts/seed.ts makes them
  const inApp: number[] = [];
  const fullLoad: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => (location.hash = "#/"));
    await page.getByRole("heading", { name: /Recent conversations/ }).waitFor();
    // From the hash change to the first bubble painted, measured in the page.
    // From the hash change to the first bubble painted, measured in the page (a string: tsx
    // would wrap a named function in a helper the page does not have).
    inApp.push(
      await page.evaluate<number>(`new Promise((resolve) => {
        const t0 = performance.now();
        location.hash = "#/c/${person()}";
        (function check() {
          if (document.querySelector(".bubble")) requestAnimationFrame(() => resolve(performance.now() - t0));
          else requestAnimationFrame(check);
        })();
      })`),
    );
    // A full load of the conversation's URL (the script from the browser's cache): navigation start to the first bubble.
    await page.goto("about:blank"); // else only the hash changes, and the page is not loaded again
    await page.goto(`${ticks.url}/console/#/c/${person()}`);
    await page.locator(".bubble").first().waitFor();
    fullLoad.push(await page.evaluate(() => performance.now()));
  }
  const search: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(`${ticks.url}/api/conversations?q=zz${i}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    await res.json();
    search.push(performance.now() - t0);
  }
  const found: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(`${ticks.url}/api/conversations?q=${encodeURIComponent(`person 1650000${i}`)}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    const n = ((await res.json()) as { data: unknown[] }).data.length;
    found.push(performance.now() - t0);
    if (n === 0) throw new Error("the name search found nobody: the seed's names changed?");
  }
  const recent: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await (await fetch(`${ticks.url}/api/conversations`, { headers: { Authorization: `Bearer ${API_KEY}` } })).json();
    recent.push(performance.now() - t0);
  }
  console.log(`console on ${SEED.toLocaleString("en")} messages, ${RUNS} random people:`);
  console.log(`  open a conversation (in the app):      median ${fmt(median(inApp))} ms, max ${fmt(Math.max(...inApp))} ms`);
  console.log(`  open a conversation (full page load):  median ${fmt(median(fullLoad))} ms, max ${fmt(Math.max(...fullLoad))} ms`);
  console.log(`  recent conversations (API):            median ${fmt(median(recent))} ms`);
  console.log(`  name search that finds nobody (API):   median ${fmt(median(search))} ms`);
  console.log(`  name search that finds 20 people (API): median ${fmt(median(found))} ms`);
} finally {
  await browser.close();
  await ticks.stop();
  await dropDatabase(name);
}
