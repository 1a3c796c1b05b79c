// The one way zod's issues are told: one line per issue ("text.body: Too small"), joined
// into a sentence for Meta-shaped errors and logs, or as a list for Ticks' own API's `details`.
import { z } from "zod";
import { AppError } from "./errors.ts";

export function issueLines(error: z.ZodError, whole = "body"): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : whole}: ${i.message}`);
}

export const issuesText = (error: z.ZodError, whole = "body"): string => issueLines(error, whole).join("; ");

export function issuesList(error: z.ZodError): { path: PropertyKey[]; message: string }[] {
  return error.issues.map((i) => ({ path: i.path, message: i.message }));
}

/** An http:// or https:// URL (a webhook receiver's, a relay's). */
export const httpUrl = () => z.url({ protocol: /^https?$/, error: "an http(s) URL" });

/** Parses a request's input with its schema, or throws the 400 that lists every issue. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", "Invalid parameters.", issuesList(r.error));
  return r.data;
}
