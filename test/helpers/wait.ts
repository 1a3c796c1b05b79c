// Waits for something that happens in the background (a worker, the emulator's webhooks).
export async function until<T>(get: () => Promise<T> | T, ok: (v: T) => boolean = Boolean, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
