import { useState, type FormEvent } from "react";
import {
  apiKeys,
  appPasswords,
  createApiKey,
  createAppPassword,
  revokeApiKey,
  revokeAppPassword,
} from "../api/endpoints";
import type { ApiKey, AppPassword } from "../api/types";
import { useAuth } from "../auth/auth";
import { API_URL } from "../config";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { field } from "../components/form";

/** Where player apps reach the API: the absolute API origin (apps add /rest/… themselves). */
export function serverUrl(apiUrl: string = API_URL, origin = window.location.origin): string {
  return new URL(apiUrl || "/", origin).origin;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

/** One kind of credential: a form to create one (its secret shown once), the list, revoke. */
function Credentials({
  kind,
  what,
  placeholder,
  list,
  create,
  revoke,
}: {
  kind: string;
  what: string;
  placeholder: string;
  list: () => Promise<{ items: (AppPassword | ApiKey)[] }>;
  create: (name: string) => Promise<{ name: string; secret: string }>;
  revoke: (id: string) => Promise<void>;
}) {
  const items = useAsync(list, []);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const slug = kind.toLowerCase().replace(/\s+/g, "-");
  // "app password", but "API key" keeps its capitals.
  const noun = /^[A-Z]{2}/.test(kind) ? kind : kind[0]!.toLowerCase() + kind.slice(1);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = field(new FormData(form), "name").trim();
    setError(null);
    create(name).then((c) => {
      setCreated(c);
      form.reset();
      items.reload();
    }, setError);
  };
  return (
    <section aria-labelledby={`${slug}-heading`} className="credentials">
      <h2 id={`${slug}-heading`}>{kind}s</h2>
      <p className="muted">{what}</p>
      <form className="form inline-form" aria-label={`New ${noun}`} onSubmit={submit}>
        <label>
          Name
          <input name="name" required maxLength={100} placeholder={placeholder} />
        </label>
        <button type="submit">Create {noun}</button>
      </form>
      {error !== null && <ErrorMessage error={error} />}
      {created && (
        <div className="secret" role="status">
          <p>
            <strong>{created.name}</strong>: copy it now — it is shown only once.
          </p>
          <p className="secret-row">
            <code aria-label={`The new ${noun}`}>{created.secret}</code>
            <CopyButton text={created.secret} label={`Copy the new ${noun}`} />
          </p>
        </div>
      )}
      {pick(items) === "loading" && <Loading />}
      {pick(items) === "error" && <ErrorMessage error={items.error} retry={items.reload} />}
      {pick(items) === "ready" &&
        (items.data!.items.length === 0 ? (
          <Empty>None yet.</Empty>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Your {noun}s</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.data!.items.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>
                    <code>{c.hint}…</code>
                  </td>
                  <td>{when(c.createdAt)}</td>
                  <td>{when(c.lastUsedAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Revoke ${c.name}`}
                      onClick={() => {
                        if (!window.confirm(`Revoke “${c.name}”? Apps using it stop working.`))
                          return;
                        revoke(c.id).then(() => {
                          setStatus(`Revoked “${c.name}”.`);
                          items.reload();
                        }, setError);
                      }}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <p role="status" className="muted">
        {status}
      </p>
    </section>
  );
}

/** "Connect a player app": server URL, app passwords and API keys for Subsonic apps. */
export function ConnectPage() {
  useTitle("Connect a player app");
  const { user } = useAuth();
  const url = serverUrl();
  return (
    <div className="connect">
      <h1>Connect a player app</h1>
      <p>
        JONQUILS speaks the OpenSubsonic API, so the apps you may already use — Symfonium, Feishin,
        Supersonic, Tempus, Substreamer, DSub — play your library, likes, playlists (smart ones too)
        and the queue you left here.
      </p>
      <ol className="steps">
        <li>
          <strong>Server URL</strong>: <code aria-label="Server URL">{url}</code>{" "}
          <CopyButton text={url} label="Copy the server URL" />
          <br />
          <span className="muted">
            Apps add <code>/rest/…</code> themselves. From a phone use an address the phone can
            reach (not <code>localhost</code>).
          </span>
        </li>
        <li>
          <strong>Username</strong>: <code>{user?.username}</code>
        </li>
        <li>
          <strong>Password</strong>: an <em>app password</em> created below. Most apps sign in with
          Subsonic token auth, which needs a secret the server can read back — your account password
          is stored only as a hash, so apps using tokens refuse it. Apps with “legacy” (plain
          password) sign-in also accept your account password.
        </li>
        <li>
          Apps that support OpenSubsonic <em>API keys</em> can use a key instead (no username).
        </li>
      </ol>
      <Credentials
        kind="App password"
        what="One per app or device, so you can revoke one without signing the others out."
        placeholder="Symfonium on my phone"
        list={appPasswords}
        create={(name) =>
          createAppPassword(name).then((c) => ({ name: c.name, secret: c.password }))
        }
        revoke={revokeAppPassword}
      />
      <Credentials
        kind="API key"
        what="For apps with OpenSubsonic API-key sign-in (the apiKey parameter)."
        placeholder="Feishin on my laptop"
        list={apiKeys}
        create={(name) => createApiKey(name).then((c) => ({ name: c.name, secret: c.apiKey }))}
        revoke={revokeApiKey}
      />
      <p className="muted">
        Check from a shell:{" "}
        <code>
          curl &quot;{url}/rest/ping.view?u={user?.username}&amp;p=APP_PASSWORD&amp;f=json&quot;
        </code>
      </p>
    </div>
  );
}
