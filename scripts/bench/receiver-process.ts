// "Your backend" for the relay benchmark, as a process of its own (wrk blocks the benchmark's
// own event loop while it runs). Answers every POST to /hook with 204 and notes when it
// arrived (performance.timeOrigin + now(): comparable across processes on one machine). A
// control port (any method): /count, /record (note arrivals from now on), /arrivals (hand
// over those noted so far, noting on), /stop (stop noting, forget what was noted), /down (refuse connections), /up.
import http from "node:http";
import type { AddressInfo } from "node:net";

let count = 0;
let arrivals: [format: "meta" | "ticks", wamid: string, at: number][] = [];
let record = false;

const hook = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    count += 1;
    if (record) {
      const at = performance.timeOrigin + performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { data?: { wamid: string }; entry?: { changes: { value: { statuses: { id: string }[] } }[] }[] };
      if (body.data) arrivals.push(["ticks", body.data.wamid, at]);
      else arrivals.push(["meta", body.entry![0]!.changes[0]!.value.statuses[0]!.id, at]);
    }
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
const port = (hook.address() as AddressInfo).port;

const control = http.createServer((req, res) => {
  const send = (v: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(v));
  if (req.url === "/count") return send({ count });
  if (req.url === "/record") return send({ record: (record = true) });
  if (req.url === "/arrivals") {
    const out = arrivals;
    arrivals = [];
    return send(out);
  }
  if (req.url === "/stop") {
    arrivals = [];
    return send({ record: (record = false) });
  }
  if (req.url === "/down") {
    hook.closeAllConnections();
    return void hook.close(() => send({ down: true }));
  }
  if (req.url === "/up") return void hook.listen(port, "127.0.0.1", () => send({ up: true }));
  res.writeHead(404).end();
});
await new Promise<void>((r) => control.listen(0, "127.0.0.1", r));
console.log(JSON.stringify({ msg: "receiver listening", url: `http://127.0.0.1:${port}/hook`, control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` }));
process.once("SIGTERM", () => process.exit(0));
