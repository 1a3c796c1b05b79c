// The one way zod's issues are told: one line per issue ("text.body: Too small"), joined
// into a sentence for Meta-shaped errors and logs, or as a list for Ticks' own API's `details`.
import type { z } from "zod";

export function issueLines(error: z.ZodError, whole = "body"): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : whole}: ${i.message}`);
}

export const issuesText = (error: z.ZodError, whole = "body"): string => issueLines(error, whole).join("; ");

export function issuesList(error: z.ZodError): { path: PropertyKey[]; message: string }[] {
  return error.issues.map((i) => ({ path: i.path, message: i.message }));
}
