// One error vocabulary. Ticks' own API answers {error:{code,message,details?}}; the
// drop-in Cloud API endpoint answers Meta's shape (see GraphError in graph/errors.ts).

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/**
 * True when the error means "the database did not answer, try again" rather than a bug: it is
 * gone, or it cut a statement short (statement timeout 57014, deadlock 40P01, serialization
 * 40001, too many connections 53300).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causeChain(err)) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P0[123]|57014|40P01|40001|53300|08\d{3}|P1001|P1002|P1017|P2024)$/.test(code)) return true;
    if (name === "DriverAdapterError" || name === "PrismaClientInitializationError") {
      if (typeof message === "string" && /connect|terminat|closed|timeout|ECONN/i.test(message)) return true;
    }
    if (typeof message === "string" && /Connection terminated|connection (is )?closed|Client has encountered a connection error|ECONNREFUSED|timeout exceeded when trying to connect|PGlite is closed/i.test(message)) return true;
  }
  return false;
}

/**
 * An error, then what it wraps: its `cause`, and the members of an AggregateError (a
 * connection tried on IPv4 and IPv6), each once. The one walk every error classifier uses.
 */
export function* causeChain(err: unknown, seen = new Set<unknown>()): Generator<object> {
  for (let e = err; e && typeof e === "object" && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    yield e;
    for (const inner of (e as { errors?: unknown }).errors instanceof Array ? (e as { errors: unknown[] }).errors : []) yield* causeChain(inner, seen);
  }
}

/** The error's own code, when it has a string one (Node's `ECONNREFUSED`, Postgres' `3D000`). */
export const codeOf = (e: object): string | undefined => {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
};
