import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { useAuth } from "../auth/auth";
import { login, register } from "../api/endpoints";
import { messageOf } from "../api/problem";
import { field } from "../components/form";
import { useTitle } from "../components/use-title";

/**
 * Where `?next=` may send a user after signing in: a path on this site only. `//host`,
 * `/\host` (browsers read a backslash as a slash) and anything that resolves to another
 * origin go home instead.
 */
export function safeNext(next: string | null, origin = window.location.origin): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return "/";
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}

function useAfterSignIn(welcome?: boolean) {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  return () => navigate(next, { replace: true, state: welcome ? { welcome: true } : undefined });
}

export function LoginPage() {
  useTitle("Sign in");
  const done = useAfterSignIn();
  const { user } = useAuth();
  const [params] = useSearchParams();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    login({ login: field(form, "login"), password: field(form, "password") }).then(
      done,
      (err: unknown) => {
        setError(err);
        setBusy(false);
      },
    );
  };
  // Already signed in (or just signed in): go on to where the link pointed.
  if (user && !busy) return <Navigate to={safeNext(params.get("next"))} replace />;
  return (
    <section className="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      <form onSubmit={submit} className="form">
        <label>
          Username or email
          <input name="login" autoComplete="username" required maxLength={254} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            maxLength={128}
          />
        </label>
        {error !== null && (
          <p className="form-error" role="alert">
            {messageOf(error)}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here? <Link to="/register">Create an account</Link>.
      </p>
    </section>
  );
}

export function RegisterPage() {
  useTitle("Sign up");
  const done = useAfterSignIn(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    register({
      username: field(form, "username"),
      email: field(form, "email"),
      password: field(form, "password"),
    }).then(done, (err: unknown) => {
      setError(err);
      setBusy(false);
    });
  };
  return (
    <section className="auth-card" aria-labelledby="register-title">
      <h1 id="register-title">Create your account</h1>
      <form onSubmit={submit} className="form">
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            required
            minLength={3}
            maxLength={32}
            aria-describedby="username-hint"
          />
          <span id="username-hint" className="hint">
            3–32 letters, digits, “_”, “.” or “-”.
          </span>
        </label>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required maxLength={254} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={128}
            aria-describedby="password-hint"
          />
          <span id="password-hint" className="hint">
            At least 8 characters.
          </span>
        </label>
        {error !== null && (
          <p className="form-error" role="alert">
            {messageOf(error)}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Sign up"}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Sign in</Link>.
      </p>
    </section>
  );
}
