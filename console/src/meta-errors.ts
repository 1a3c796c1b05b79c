// Meta's common Cloud API error codes in words a support person can act on
// (Meta's "Error codes" reference). Unknown codes show Meta's own title and message.
const WORDS: Record<string, string> = {
  "0": "Meta could not authenticate the business (access token).",
  "4": "Too many API calls from this app (rate limit).",
  "10": "The app lacks a permission for this phone number.",
  "100": "Meta refused a parameter of the request.",
  "131000": "Something went wrong at Meta.",
  "131005": "The app lacks the permission to send.",
  "131008": "A required parameter is missing.",
  "131009": "A parameter value is not valid.",
  "131016": "WhatsApp was temporarily unavailable.",
  "131021": "The recipient is the business's own number.",
  "131026": "The message could not be delivered: the person may not use WhatsApp, may have an old app, or may not have accepted the terms.",
  "131031": "The business account is locked.",
  "131042": "A payment problem on the business account.",
  "131045": "The phone number is not registered for the Cloud API.",
  "131047": "More than 24 hours since the customer last wrote: only a template can be sent.",
  "131048": "Spam rate limit: too many messages from this number were blocked or reported.",
  "131049": "Meta chose not to deliver it, to keep engagement healthy (marketing limit).",
  "131050": "The person stopped marketing messages from this business.",
  "131051": "This message type is not supported.",
  "131052": "The media sent by the person could not be downloaded.",
  "131053": "The media could not be uploaded.",
  "131056": "Too many messages to this person in a short time (pair rate limit).",
  "131057": "The business account is in maintenance.",
  "131062": "This template cannot be sent to a business-scoped user id: send it to the phone number.",
  "130429": "Throughput limit reached: the number sent too many messages per second.",
  "130472": "The person's number is part of an experiment and did not get this marketing message.",
  "132000": "The template's parameters do not match its definition.",
  "132001": "The template does not exist in this language, or is not approved.",
  "132005": "The template's text is too long once filled in.",
  "132007": "The template's content breaks WhatsApp's policy.",
  "132012": "A template parameter has the wrong format.",
  "132015": "The template is paused for low quality.",
  "132016": "The template is disabled.",
  "133010": "The phone number is not registered.",
  "368": "The business is temporarily blocked for policy violations.",
  read_receipt_failed: "Ticks could not mark this message read.",
};

export interface MetaErrorLike {
  code?: number | string;
  title?: string;
  message?: string;
  error_data?: { details?: string };
}

/** The first error of a message or event, in words, with Meta's code. */
export function describeError(errors: unknown): { code: string; words: string; detail?: string } | undefined {
  const e = (Array.isArray(errors) ? errors[0] : errors) as MetaErrorLike | null | undefined;
  if (!e || typeof e !== "object") return undefined;
  const code = e.code === undefined ? "unknown" : String(e.code);
  const detail = e.error_data?.details ?? e.message ?? e.title;
  return { code, words: WORDS[code] ?? e.title ?? e.message ?? "Meta gave no reason.", ...(detail ? { detail } : {}) };
}

/** Why Ticks itself marked a send failed (the message's failureReason). */
export const FAILURE_REASONS: Record<string, string> = {
  rejected: "Meta refused the send.",
  unreachable: "Ticks could not reach Meta: nothing was sent.",
  unconfirmed: "Meta did not answer in time: the message may have been sent.",
};
