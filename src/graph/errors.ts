// Meta's error body (Meta's "Error codes" reference): what the drop-in endpoint answers for
// every error of its own, so that Cloud API SDKs parse Ticks' errors like Meta's.

export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: "whatsapp"; details: string };
    fbtrace_id: string;
  };
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly details?: string,
    readonly type = "OAuthException",
  ) {
    super(message);
  }

  toBody(traceId: string): GraphErrorBody {
    return {
      error: {
        message: `(#${this.code}) ${this.message}`,
        type: this.type,
        code: this.code,
        ...(this.details === undefined
          ? {}
          : { error_data: { messaging_product: "whatsapp" as const, details: this.details } }),
        fbtrace_id: traceId,
      },
    };
  }
}

export const graphErrors = {
  invalidParameter: (details: string) => new GraphError(400, 100, "Invalid parameter", details),
  // Meta's code for a bad token, so SDKs react as they do to Meta; the message says what Ticks wants.
  badToken: () => new GraphError(401, 190, "Missing or unknown Ticks API key: send Authorization: Bearer <one of Ticks' API_KEYS> (not a Meta access token)"),
  tooLarge: (limit: string) => new GraphError(413, 100, "Request body too large", `The body is larger than ${limit}.`),
  // code 2 is Meta's "Service temporarily unavailable": SDKs treat it as retryable.
  unavailable: (details: string) => new GraphError(503, 2, "Service temporarily unavailable", details),
  timeout: (details: string) => new GraphError(504, 2, "Service temporarily unavailable", details),
  // Meta could not be reached at all: nothing was sent, so the caller may simply retry.
  unreachable: (details: string) => new GraphError(503, 2, "Service temporarily unavailable", details),
};
