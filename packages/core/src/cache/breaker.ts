/**
 * A circuit breaker for Redis (cache and rate limits). After `failures` failed or timed-out
 * commands in a row it opens: callers go straight to their in-memory fallback for `openMs`,
 * then one call is let through to try Redis again (half-open); a success closes it.
 * Commands themselves are bounded by ioredis' `commandTimeout` (wiring.ts), so even the calls
 * that find Redis gone take at most that long.
 */
export interface CircuitBreaker {
  readonly open: boolean;
  /** Runs `call` unless the breaker is open; the fallback otherwise or when `call` fails. */
  run<T>(call: () => Promise<T>, fallback: (error?: unknown) => T | Promise<T>): Promise<T>;
}

export function createCircuitBreaker(
  options: { failures?: number; openMs?: number; onChange?: (open: boolean) => void } = {},
): CircuitBreaker {
  const failures = options.failures ?? 3;
  const openMs = options.openMs ?? 2000;
  let consecutive = 0;
  let openUntil = 0;
  let trial = false;
  const isOpen = () => consecutive >= failures;
  return {
    get open() {
      return isOpen();
    },
    async run(call, fallback) {
      if (isOpen()) {
        if (trial || Date.now() < openUntil) return fallback();
        trial = true;
      }
      try {
        const value = await call();
        if (isOpen()) options.onChange?.(false);
        consecutive = 0;
        trial = false;
        return value;
      } catch (error) {
        const wasOpen = isOpen();
        consecutive++;
        trial = false;
        if (isOpen()) {
          openUntil = Date.now() + openMs;
          if (!wasOpen) options.onChange?.(true);
        }
        return fallback(error);
      }
    },
  };
}
