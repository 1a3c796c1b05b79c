// The HTTP server for the Express app, built so that Express never changes a request's
// prototype. Express sets the prototype of every req and res to its own (app.request,
// app.response) with Object.setPrototypeOf, which makes V8 give each object a map of its
// own: measured here, every young-generation collection then kept ~4 MB alive and paused
// 4-5 ms instead of 0.5 ms, every ~0.3 s at 1,000 requests/s (docs/benchmarks.md). When
// the server itself creates req and res from constructors whose prototypes already are
// app.request and app.response, Express's setPrototypeOf finds nothing to change.
// (expressjs/express#5998 describes the same remedy.)
import http from "node:http";
import type { Socket } from "node:net";
import type express from "express";

export function createHttpServer(app: express.Express): http.Server {
  function Request(this: http.IncomingMessage, socket: Socket) {
    http.IncomingMessage.call(this, socket);
  }
  Request.prototype = app.request;
  function Response(this: http.ServerResponse, req: http.IncomingMessage, options?: unknown) {
    (http.ServerResponse as unknown as (req: http.IncomingMessage, options?: unknown) => void).call(this, req, options);
  }
  Response.prototype = app.response;
  return http.createServer(
    {
      IncomingMessage: Request as unknown as typeof http.IncomingMessage,
      ServerResponse: Response as unknown as typeof http.ServerResponse,
    },
    app,
  );
}
