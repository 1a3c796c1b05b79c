// Plain HTTP peers for tests: listen on a free loopback port, close when done.
import type http from "node:http";
import type { AddressInfo } from "node:net";

/** Listens on 127.0.0.1 at a free port; resolves with the server's base URL. */
export async function listenLocal(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const closeServer = (server: http.Server) => new Promise<void>((r) => server.close(() => r()));
