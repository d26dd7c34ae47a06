import { AppError } from "../errors";

export const AuthErrors = {
  invalidCredentials: () =>
    new AppError("invalid_credentials", 401, "Wrong username/email or password."),
  accountDisabled: () => new AppError("account_disabled", 403, "This account is disabled."),
  accountUnavailable: () =>
    new AppError(
      "account_unavailable",
      401,
      "This account has been disabled or deleted; the access token no longer works.",
    ),
  tooManySignups: (retryAfterSeconds: number) =>
    new AppError(
      "too_many_signups",
      429,
      "Too many accounts were created from this address; try again later.",
      { retryAfterSeconds },
    ),
  invalidToken: () => new AppError("invalid_token", 401, "The access token is invalid."),
  tokenExpired: () =>
    new AppError("token_expired", 401, "The access token has expired; refresh it."),
  invalidRefreshToken: () =>
    new AppError(
      "invalid_refresh_token",
      401,
      "The refresh token is unknown, expired or revoked; sign in again.",
    ),
  refreshTokenReused: () =>
    new AppError(
      "refresh_token_reused",
      401,
      "This refresh token was already used. Every session started from the same sign-in is now revoked; sign in again.",
    ),
  tooManyLoginAttempts: (retryAfterSeconds: number) =>
    new AppError(
      "too_many_login_attempts",
      429,
      "Too many failed sign-ins; wait before trying again.",
      {
        retryAfterSeconds,
      },
    ),
  userExists: (field: "username" | "email") =>
    new AppError(`${field}_taken`, 409, `That ${field} is already registered.`),
  passwordTooLong: () =>
    new AppError("password_too_long", 422, "Passwords are limited to 72 bytes (bcrypt's limit)."),
};
