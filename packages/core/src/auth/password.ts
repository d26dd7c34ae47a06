import bcrypt from "bcryptjs";

/** bcrypt only reads the first 72 bytes; longer passwords are refused, not silently cut. */
export const MAX_PASSWORD_BYTES = 72;

export const passwordFitsBcrypt = (password: string) =>
  Buffer.byteLength(password, "utf8") <= MAX_PASSWORD_BYTES;

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
