/**
 * Domain errors carry a stable machine-readable `code` and an HTTP status.
 * Exactly one place (the API's onError) turns them into RFC 9457 problem+json.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const CommonErrors = {
  notFound: (entity: string, id: string | number) =>
    new AppError(`${entity}_not_found`, 404, `No ${entity} with id ${id}.`),
  unauthenticated: () =>
    new AppError("unauthenticated", 401, "Sign in first: this needs a valid access token."),
  forbidden: (why: string) => new AppError("forbidden", 403, why),
  conflict: (code: string, message: string) => new AppError(code, 409, message),
  invalid: (code: string, message: string, extra?: Record<string, unknown>) =>
    new AppError(code, 422, message, extra),
};
