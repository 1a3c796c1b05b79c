// The sandbox emulator as a process of its own, for the benchmarks.
import { startEmulator } from "../../src/sandbox/emulator.ts";

const emulator = await startEmulator({
  accessToken: process.env.EMULATOR_TOKEN ?? "bench",
  ratePerSecond: Number(process.env.EMULATOR_RATE ?? 80),
});
// Keep memory flat under load: the benchmark does not read what was received.
setInterval(() => (emulator.requests.length = 0), 1_000).unref();
console.log(JSON.stringify({ msg: "emulator listening", url: emulator.url }));
process.once("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
