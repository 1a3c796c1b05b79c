import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const creds = { WHATSAPP_ACCESS_TOKEN: "t", WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v" };

describe("when Ticks reads its environment", () => {
  it("then an empty environment is the sandbox with the contract's defaults", () => {
    expect(loadConfig({})).toMatchObject({
      sandbox: true,
      PORT: 3000,
      DATA_DIR: "./.ticks",
      GRAPH_API_URL: "https://graph.facebook.com",
      GRAPH_API_VERSION: "v24.0",
      AUTO_READ: true,
      SEND_TIMEOUT_MS: 30_000,
      BODY_LIMIT: "3mb",
      SANDBOX_STATUS_DELAYS_MS: { sent: 200, delivered: 600, read: 1_500 },
    });
  });

  it("then the sandbox's status delays are three numbers, and anything else is named", () => {
    expect(loadConfig({ SANDBOX_STATUS_DELAYS_MS: "1000, 3000,6000" }).SANDBOX_STATUS_DELAYS_MS).toEqual({ sent: 1000, delivered: 3000, read: 6000 });
    expect(() => loadConfig({ SANDBOX_STATUS_DELAYS_MS: "1000,3000" })).toThrow(/SANDBOX_STATUS_DELAYS_MS/);
  });

  it("then all three WhatsApp keys and API keys leave sandbox mode", () => {
    const c = loadConfig({ ...creds, API_KEYS: "key_aaaaaaaaaaaaaaaa, key_bbbbbbbbbbbbbbbb" });
    expect(c.sandbox).toBe(false);
    expect(c.API_KEYS).toEqual(["key_aaaaaaaaaaaaaaaa", "key_bbbbbbbbbbbbbbbb"]);
  });

  it("then every bad key is named in one error", () => {
    const run = () => loadConfig({ PORT: "http", DATABASE_URL: "mysql://x", AUTO_READ: "maybe", SEND_TIMEOUT_MS: "-1", GRAPH_API_VERSION: "24" });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (err) {
      for (const key of ["PORT", "DATABASE_URL", "AUTO_READ", "SEND_TIMEOUT_MS", "GRAPH_API_VERSION"]) {
        expect((err as Error).message).toContain(key);
      }
    }
  });

  it("then some but not all WhatsApp keys are refused, naming the missing ones", () => {
    expect(() => loadConfig({ WHATSAPP_ACCESS_TOKEN: "t" })).toThrow(/WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN: missing/);
  });

  it("then real credentials without API_KEYS are refused", () => {
    expect(() => loadConfig(creds)).toThrow(/API_KEYS: required/);
  });

  it("then empty values count as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", WHATSAPP_ACCESS_TOKEN: "" }).sandbox).toBe(true);
  });
});

describe("when NODE_ENV is production", () => {
  it("then missing WhatsApp credentials stop the start with the one configuration error", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN: missing \(NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: "production", PORT: "x" })).toThrow(/PORT[\s\S]*NODE_ENV=production/);
  });

  it("then real credentials start as usual, and outside production no credentials is the sandbox", () => {
    expect(loadConfig({ NODE_ENV: "production", ...creds, API_KEYS: "key_aaaaaaaaaaaaaaaa" }).sandbox).toBe(false);
    expect(loadConfig({ NODE_ENV: "development" }).sandbox).toBe(true);
  });
});

describe("when the shutdown deadline is set", () => {
  it("then by default it outlasts a send waiting for Meta, and one shorter than a send is refused", () => {
    expect(loadConfig({}).SHUTDOWN_TIMEOUT_MS).toBe(40_000);
    expect(loadConfig({ SEND_TIMEOUT_MS: "5000" }).SHUTDOWN_TIMEOUT_MS).toBe(15_000);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: "15000" })).toThrow(/SHUTDOWN_TIMEOUT_MS: at least SEND_TIMEOUT_MS \+ 5000 \(35000\)/);
  });
});
