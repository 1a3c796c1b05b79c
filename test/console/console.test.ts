/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The support console, driven in a real browser against a sandbox Ticks (on real Postgres
// when TEST_DATABASE_URL is set). Screenshots of the main views go to SCREENSHOT_DIR
// (`npm run screenshots` writes the README's, into docs/screenshots).
import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { start } from "../../src/server.ts";
import { TEST_RECIPIENTS } from "../../src/sandbox/emulator.ts";
import { hashPassword } from "../../src/console/password.ts";
import { HAS_CHROMIUM, launchBrowser } from "../helpers/browser.ts";
import { createEmptyDatabase, REAL_POSTGRES } from "../helpers/test-db.ts";
import { until } from "../helpers/wait.ts";

const PHONE_NUMBER_ID = "106540352242922";
const CONSOLE_PASSWORD = "support team password";

let ticks: Awaited<ReturnType<typeof start>>;
let dropDb: (() => Promise<void>) | undefined;
let browser: Browser;
let base: string;
let key: string;
let shots: string;

async function send(to: string, body: string): Promise<{ status: number; wamid?: string; messageId?: string }> {
  const res = await fetch(`${base}/${PHONE_NUMBER_ID}/messages`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ messaging_product: "whatsapp", to, type: "text", text: { body } }),
  });
  const json = (await res.json()) as { messages?: { id: string }[] };
  return { status: res.status, wamid: json.messages?.[0]?.id };
}

async function getJson<T>(p: string): Promise<T> {
  const res = await fetch(`${base}${p}`, { headers: { Authorization: `Bearer ${key}` } });
  return (await res.json()) as T;
}

async function signedIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /Recent conversations/ }).waitFor();
  return page;
}

/** WCAG 2 A and AA rules that axe-core finds broken on the page (labels, contrast, roles, …). */
async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return violations;
}

const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const db = REAL_POSTGRES ? await createEmptyDatabase() : undefined;
  dropDb = db?.drop;
  // Statuses a second apart: each tick stays on screen long enough to be seen, however busy the machine.
  const env = {
    PORT: "0",
    DATA_DIR: "memory://",
    LOG_LEVEL: "silent",
    SANDBOX_STATUS_DELAYS_MS: "300,1300,2300",
    CONSOLE_PASSWORD_HASH: await hashPassword(CONSOLE_PASSWORD),
  };
  ticks = await start(loadConfig({ ...env, ...(db ? { DATABASE_URL: db.url } : {}) }));
  base = `http://127.0.0.1:${ticks.port}`;
  key = ticks.apiKeys[0]!;
  shots = process.env.SCREENSHOT_DIR ?? (await mkdtemp(path.join(os.tmpdir(), "ticks-console-")));
  await mkdir(shots, { recursive: true });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ticks?.stop();
  await dropDb?.();
});

// CI installs chromium: there, its absence is a failure, not a reason to skip.
if (process.env.CI && !["0", "false"].includes(process.env.CI) && !HAS_CHROMIUM) throw new Error("CI is set but /usr/bin/chromium is missing: the console's browser tests cannot run");

describe.runIf(HAS_CHROMIUM)("the support console in a browser (runs when Debian's chromium is installed; .ci/run installs it)", () => {
  it("refuses a wrong key, signs in by keyboard, and signs out; the key never appears in a URL", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    const root = await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/console/");
    expect(root?.status()).toBe(200);

    await page.getByLabel("API key").fill("not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("That is not a valid API key or console password");
    await shoot(page, "sign-in");

    await page.getByLabel("API key").fill("");
    await page.getByLabel("API key").focus();
    await page.keyboard.type(key);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: /Recent conversations/ }).waitFor();
    expect(urls.some((u) => u.includes(key))).toBe(false);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await context.close();
  });

  it("signs in with the console password instead of a key; the session token never appears in a URL", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    await page.goto(`${base}/console/`);
    await page.getByLabel("API key or console password").fill(CONSOLE_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /Recent conversations/ }).waitFor();
    const token = await page.evaluate(() => sessionStorage.getItem("ticks.apiKey"));
    expect(token).toMatch(/^ticks_console_/);
    expect(urls.some((u) => u.includes(token!) || u.includes(encodeURIComponent(CONSOLE_PASSWORD)))).toBe(false);
    await page.getByText("Live", { exact: true }).waitFor(); // the live stream takes the session too
    await context.close();
  });

  it("shows a message's ticks turn grey, grey-grey and blue as the webhooks land, without a reload", async () => {
    const to = "16505551234";
    expect((await send(to, "First message")).status).toBe(200);
    const context = await browser.newContext();
    const page = await signedIn(context);
    await page.getByLabel("Find a customer or a message").fill("+1 (650) 555-1234");
    await page.getByRole("button", { name: "Find" }).click();
    await page.locator(".conversation-link").first().click();
    await page.locator(".bubble.out").first().waitFor();
    await page.locator(".bubble.out[data-status=read]").first().waitFor({ timeout: 10_000 });
    await page.getByText("Live", { exact: true }).waitFor();

    // Record every status the page shows for bubbles that appear from now on.
    await page.evaluate(() => {
      const w = window as unknown as { seen: Record<string, string[]>; marker: boolean };
      w.seen = {};
      w.marker = true; // gone if the page reloads
      const record = () => {
        for (const b of document.querySelectorAll<HTMLElement>(".bubble[data-id]")) {
          const list = (w.seen[b.dataset.id!] ??= []);
          const ticks = b.querySelector("svg.ticks");
          const shown = `${b.dataset.status}:${ticks?.querySelectorAll("path").length ?? 0}:${ticks ? getComputedStyle(ticks).color : ""}`;
          if (list.at(-1) !== shown) list.push(shown);
        }
      };
      record();
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const sent = await send(to, "Watch my ticks");
    expect(sent.status).toBe(200);
    const found = await getJson<{ id: string }>(`/api/messages/${encodeURIComponent(sent.wamid!)}`);
    const history = async () => page.evaluate((id) => (window as unknown as { seen: Record<string, string[]> }).seen[id] ?? [], found.id);
    const seen = await until(history, (h) => h.at(-1)?.startsWith("read:") ?? false, 15_000);
    await shoot(page, "conversation");

    const statuses = seen.map((s) => s.split(":")[0]);
    expect(statuses).toContain("sent");
    expect(statuses).toContain("delivered");
    expect(statuses.indexOf("sent")).toBeLessThan(statuses.indexOf("delivered"));
    expect(statuses.indexOf("delivered")).toBeLessThan(statuses.indexOf("read"));
    const look = (status: string) => seen.find((s) => s.startsWith(`${status}:`))?.split(":").slice(1);
    const GREY = "rgb(84, 101, 111)";
    const BLUE = "rgb(2, 126, 181)";
    expect(look("sent")).toEqual(["1", GREY]); // one grey tick
    expect(look("delivered")).toEqual(["2", GREY]); // two grey ticks
    expect(look("read")).toEqual(["2", BLUE]); // two blue ticks
    expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
    await context.close();
  });

  it("finds a failed message and says why in words, with Meta's code; lists the window's failures and exports them as CSV", async () => {
    await send(TEST_RECIPIENTS.windowClosed, "Too late");
    const undeliverable = await send(TEST_RECIPIENTS.undeliverable, "Never arrives");
    await until(() => getJson<{ status: string }>(`/api/messages/${encodeURIComponent(undeliverable.wamid!)}`), (m) => m.status === "failed", 10_000);

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await signedIn(context);
    const cspViolations: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && /Content Security Policy/.test(m.text()) && cspViolations.push(m.text())));
    await page.getByRole("link", { name: "Overview" }).click();
    const rows = page.locator(".failed-list tbody tr");
    await until(() => rows.count(), (n) => n >= 2, 10_000);
    const text = await page.locator(".failed-list").textContent();
    expect(text).toContain("More than 24 hours since the customer last wrote: only a template can be sent. (code 131047)");
    expect(text).toContain("(code 131026)");
    await page.getByRole("img", { name: /Delivery funnel/ }).waitFor();
    await shoot(page, "overview");
    expect(cspViolations).toEqual([]); // the charts draw under the page's strict policy

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = await readFile((await download.path())!, "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("createdAt,id,wamid,to,userId,type,failureReason,code,error");
    expect(lines.slice(1).map((l) => l.split(",")[7]).sort()).toEqual(["131026", "131047"]);

    // By its wamid, from the search box: the message view says why, and shows the timeline.
    await page.getByRole("link", { name: "Conversations" }).click();
    await page.getByLabel("Find a customer or a message").fill(undeliverable.wamid!);
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("heading", { name: /Message to/ }).waitFor();
    const why = await page.locator(".facts .failure").textContent();
    expect(why).toContain("could not be delivered");
    expect(why).toContain("code 131026");
    expect(await page.locator(".timeline li[data-status]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status))).toEqual(["accepted", "sent", "failed"]);
    const failedEvent = page.locator(".timeline li[data-status=failed]");
    await failedEvent.getByText("Raw event").click();
    const raw = JSON.parse((await failedEvent.locator("pre").textContent())!) as { id: string; status: string; errors: { code: number }[] };
    expect(raw).toMatchObject({ id: undeliverable.wamid, status: "failed", errors: [{ code: 131026 }] });
    await shoot(page, "message");
    await context.close();
  });

  it("opens a conversation of 300 messages at its newest page, pages back to the first, and fits a phone's width", async () => {
    const to = "15550009300";
    await send(to, "Message 001"); // alone: the first of the conversation whatever the clock does below
    for (let i = 1; i < 300; i += 30) {
      await Promise.all(Array.from({ length: Math.min(30, 300 - i) }, (_, j) => send(to, `Message ${String(i + j + 1).padStart(3, "0")}`)));
    }
    await ticks.emulator!.deliverInbound({ phoneNumberId: PHONE_NUMBER_ID, from: to, name: "Paula Pager", text: "Hello from Paula" });

    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await signedIn(context);
    await page.getByLabel("Find a customer or a message").fill("paula");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("link", { name: /Paula Pager/ }).waitFor();
    const opened = Date.now();
    await page.getByRole("link", { name: /Paula Pager/ }).click();
    await page.getByText("Hello from Paula").waitFor();
    console.warn(`console: a conversation's newest page shown ${Date.now() - opened} ms after the click (small database)`);
    expect(await page.locator(".bubble").count()).toBe(50);
    await shoot(page, "conversation-phone");
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    const older = page.getByRole("button", { name: "Load older messages" });
    while (await older.isVisible()) {
      const before = await page.locator(".bubble").count();
      await older.click();
      await until(() => page.locator(".bubble").count(), (n) => n > before || n === 301, 10_000);
    }
    expect(await page.locator(".bubble").count()).toBe(301);
    expect(await page.locator(".bubble .text").first().textContent()).toBe("Message 001");
    await context.close();
  }, 60_000);

  it("breaks no WCAG 2.1 A or AA rule axe-core checks (labels, contrast, roles) and never scrolls sideways, on each view at desktop and phone width", async () => {
    const sent = await send("16505550042", "Accessible?");
    await until(() => getJson<{ status: string }>(`/api/messages/${encodeURIComponent(sent.wamid!)}`), (m) => m.status === "read", 10_000);
    const failed = await send(TEST_RECIPIENTS.windowClosed, "Refused");
    expect(failed.status).toBe(400);
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 800 }]) {
      const context = await browser.newContext({ viewport, bypassCSP: true }); // axe is injected as a script
      const page = await context.newPage();
      await page.goto(`${base}/console/`);
      await page.getByLabel("API key").waitFor();
      // Each view: the rules axe finds broken, and whether the page scrolls sideways.
      const check = async () => [
        ...(await accessibilityViolations(page)),
        ...((await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)) ? ["wider than the window"] : []),
      ];
      const found: Record<string, string[]> = { signIn: await check() };
      await page.getByLabel("API key").fill(key);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator(".conversation-link").first().waitFor();
      found.find = await check();
      await page.goto(`${base}/console/#/c/16505550042`);
      await page.locator(".bubble").first().waitFor();
      found.conversation = await check();
      await page.goto(`${base}/console/#/m/${encodeURIComponent(sent.wamid!)}`);
      await page.locator(".timeline").waitFor();
      found.message = await check();
      await page.goto(`${base}/console/#/overview`);
      await page.locator(".failed-list").waitFor();
      found.overview = await check();
      expect(found, `at ${viewport.width} px`).toEqual({ signIn: [], find: [], conversation: [], message: [], overview: [] });
      await context.close();
    }
  }, 60_000);

  it("loads under 200 kB of JavaScript (gzipped) on first visit", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const scripts: Promise<Buffer>[] = [];
    page.on("response", (r) => {
      if (r.request().resourceType() === "script") scripts.push(r.body());
    });
    await page.goto(`${base}/console/`);
    await page.getByLabel("API key").waitFor();
    const bodies = await Promise.all(scripts);
    const gz = bodies.reduce((n, b) => n + gzipSync(b).length, 0);
    console.warn(`console: first load ${bodies.length} script(s), ${(gz / 1024).toFixed(1)} kB gzipped`);
    expect(bodies.length).toBeGreaterThan(0);
    expect(gz).toBeLessThan(200 * 1024);
    await context.close();
  });
});
