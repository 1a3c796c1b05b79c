// Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm), driven
// through a driver adapter. Prisma's native engine is a download that is not available
// everywhere; this one ships in npm. Used to write new migrations (scripts/migration-diff.ts)
// and by the test that proves the committed migrations produce schema.prisma.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

export const SCHEMA_PATH = fileURLToPath(new URL("../prisma/schema.prisma", import.meta.url));

let loaded: Promise<void> | undefined;
function loadWasm(): Promise<void> {
  // The package imports its .wasm as an ES module, which Node 20 cannot; instantiate it here.
  return (loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
    // Node's global WebAssembly (not in the ES lib typings).
    const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Buffer, i: object): Promise<{ instance: { exports: Record<string, unknown> } }> } }).WebAssembly;
    const { instance } = await wasm.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": bg });
    (bg as unknown as { __wbg_set_wasm(x: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  })());
}

// The engine's describer reads Postgres' one-byte "char" catalog columns (pg_class.relkind
// and friends), a type @prisma/adapter-pg refuses (UnsupportedNativeDataType). Reporting
// them as text (OID 25), which is what their values are, lets the describer run.
const CHAR_OID = 18;
const TEXT_OID = 25;
const charAsText = (r: pg.QueryResult | undefined) => {
  for (const f of r?.fields ?? []) if (f.dataTypeID === CHAR_OID) f.dataTypeID = TEXT_OID;
  return r;
};
class CharAsTextClient extends pg.Client {
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === "function") {
      // pg.Pool calls query with a callback.
      args[args.length - 1] = (err: Error | null, r: pg.QueryResult) => last(err, charAsText(r));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) return result.then(charAsText) as never;
    return result as never;
  }
}

/** An adapter for the schema engine on a real Postgres. */
export function engineAdapter(connectionString: string): SqlMigrationAwareDriverAdapterFactory {
  return new PrismaPg(new pg.Pool({ connectionString, max: 2, Client: CharAsTextClient }));
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

export async function schemaEngine(adapter: SqlMigrationAwareDriverAdapterFactory) {
  await loadWasm();
  const schema = await readFile(SCHEMA_PATH, "utf8");
  const files = [{ path: "schema.prisma", content: schema }];
  const engine = await bg.SchemaEngine.new(
    { datamodels: [["schema.prisma", schema]] },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(adapter),
  );
  return {
    /** SQL that takes an empty database to schema.prisma. */
    async sqlFromEmpty(): Promise<string> {
      const r = await engine.diff({ from: { tag: "empty" }, to: { tag: "schemaDatamodel", files }, script: true, exitCode: null, filters: NO_FILTER });
      return r.stdout ?? "";
    },
    /** SQL that takes the adapter's database to schema.prisma ("" or a no-op comment when they agree). */
    async sqlFromDatabase(): Promise<string> {
      const r = await engine.diff({ from: { tag: "schemaDatasource", files, configDir: "." } as never, to: { tag: "schemaDatamodel", files }, script: true, exitCode: null, filters: NO_FILTER });
      return r.stdout ?? "";
    },
    free: () => engine.free(),
  };
}
