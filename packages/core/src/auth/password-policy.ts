import { AppError } from "../errors";
import { commonPasswordsText } from "./common-passwords";

/** The shortest password accepted, in characters (NIST SP 800-63B: at least 8). */
export const MIN_PASSWORD_CHARS = 8;

let common: Set<string> | undefined;
/** The shipped list of common passwords (≥ 8 characters, lower-cased), built on first use. */
export function commonPasswords(): ReadonlySet<string> {
  return (common ??= new Set(commonPasswordsText().split("\n")));
}

const weak = (reason: string) =>
  new AppError("password_too_weak", 422, `Choose a stronger password: ${reason}`);

/**
 * The minimal strength rule (NIST SP 800-63B §3.1.1.2, OWASP ASVS V2.1): at least 8
 * characters, not only whitespace, not the username or the e-mail (or its local part), and not
 * on the list of common passwords. Throws a 422 `password_too_weak` naming the reason.
 */
export function assertPasswordStrength(
  password: string,
  account: { username: string; email: string },
): void {
  if ([...password].length < MIN_PASSWORD_CHARS)
    throw weak(`use at least ${MIN_PASSWORD_CHARS} characters.`);
  const folded = password.normalize("NFKC").trim().toLowerCase();
  if (folded.length === 0) throw weak("it cannot be only spaces.");
  if (new Set(folded).size === 1) throw weak("it cannot repeat one character.");
  const email = account.email.trim().toLowerCase();
  const local = email.split("@")[0] ?? "";
  if ([account.username.trim().toLowerCase(), email, local].includes(folded))
    throw weak("it cannot be your username or e-mail address.");
  if (commonPasswords().has(folded) || commonPasswords().has(password.toLowerCase()))
    throw weak("it is on the list of commonly used passwords.");
}
