import { type OutgoingEmail, PermanentMailError } from "./types";

// Deliberately loose (the provider does the real check), but it refuses anything that could
// break out of a header: line breaks, angle brackets, commas (a second recipient), spaces.
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
// `Display Name <addr@host>`: the name may not contain quotes or angle brackets either.
const NAMED_ADDRESS = /^([^<>"\r\n]*?)\s*<([^\s@<>,;"]+@[^\s@<>,;"]+)>$/;
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

/** A parsed sender/recipient: the bare address and an optional display name. */
export interface MailAddress {
  email: string;
  name?: string;
}

/** Parses `addr@host` or `Name <addr@host>`; throws `PermanentMailError` on anything else. */
export function parseAddress(value: string, what: string): MailAddress {
  if (LINE_BREAK.test(value)) throw new PermanentMailError(`${what} address contains a line break`);
  const trimmed = value.trim();
  if (ADDRESS.test(trimmed)) return { email: trimmed };
  const named = NAMED_ADDRESS.exec(trimmed);
  if (named?.[2]) {
    const name = named[1]?.trim();
    return name ? { email: named[2], name } : { email: named[2] };
  }
  throw new PermanentMailError(`${what} address is not a single valid email address`);
}

/**
 * Checks an email before any provider sees it, so every sender refuses the same bad input:
 * header injection (CR/LF in the subject or an address) and malformed addresses are permanent.
 */
export function validateOutgoing(mail: OutgoingEmail): { from: MailAddress; to: MailAddress } {
  if (!mail.id) throw new PermanentMailError("email has no outbox id");
  if (LINE_BREAK.test(mail.subject)) throw new PermanentMailError("subject contains a line break");
  if (!mail.subject.trim()) throw new PermanentMailError("subject is empty");
  return { from: parseAddress(mail.from, "from"), to: parseAddress(mail.to, "to") };
}
