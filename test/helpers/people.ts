// Identifiers of people for the tests (docs/people.md), each test's own.
import { randomBytes } from "node:crypto";

/** A BSUID of the test's own: "US." and 20 digits. */
export const bsuid = () => `US.${randomBytes(8).readBigUInt64BE().toString().padStart(20, "0")}`;
/** A parent BSUID of the test's own: "US.ENT." and 20 digits. */
export const parentBsuid = () => `US.ENT.${randomBytes(8).readBigUInt64BE().toString().padStart(20, "0")}`;
export const inboundWamid = () => `wamid.in${randomBytes(10).toString("hex")}`;

/** An inbound text as Meta sends it, from a person named by phone, BSUID or both (phone withheld when absent). */
export function inboundFrom(p: { phone?: string; user?: string; parent?: string; username?: string; name?: string }, wamid = inboundWamid(), at = Math.floor(Date.now() / 1000)) {
  const contact = {
    profile: { name: p.name ?? "Sheena Nelson", ...(p.username ? { username: p.username } : {}) },
    ...(p.phone ? { wa_id: p.phone } : {}),
    ...(p.user ? { user_id: p.user } : {}),
    ...(p.parent ? { parent_user_id: p.parent } : {}),
  };
  const message = {
    ...(p.phone ? { from: p.phone } : {}),
    ...(p.user ? { from_user_id: p.user } : {}),
    ...(p.parent ? { from_parent_user_id: p.parent } : {}),
    id: wamid,
    timestamp: String(at),
    type: "text",
    text: { body: "Does it come in another color?" },
  };
  return { contacts: [contact], messages: [message] };
}
