import { lazy, Suspense, useEffect, useRef, type ReactNode } from "react";
import { Link, Navigate, NavLink, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { logout } from "./api/endpoints";
import type { Role } from "./api/types";
import { useAuth } from "./auth/auth";
import { SearchBox } from "./components/search-box";
import { Loading } from "./components/states";
import { HomePage } from "./pages/home";
import { LoginPage, RegisterPage } from "./pages/auth-pages";
import { AlbumPage, ArtistPage, TrackPage } from "./pages/catalog";
import { NotFoundPage } from "./pages/not-found";
import { SearchPage } from "./pages/search";
import { PlayerBar } from "./player/player-bar";

// Pages most listeners never open load on demand: the first bundle stays small.
const PlaylistsPage = lazy(() =>
  import("./pages/playlists").then((m) => ({ default: m.PlaylistsPage })),
);
const PlaylistPage = lazy(() =>
  import("./pages/playlists").then((m) => ({ default: m.PlaylistPage })),
);
const StudioPage = lazy(() => import("./pages/studio").then((m) => ({ default: m.StudioPage })));
const StatsPage = lazy(() => import("./pages/stats").then((m) => ({ default: m.StatsPage })));
const LikedSongsPage = lazy(() =>
  import("./pages/library").then((m) => ({ default: m.LikedSongsPage })),
);
const RadioPage = lazy(() => import("./pages/library").then((m) => ({ default: m.RadioPage })));
const SmartPlaylistPage = lazy(() =>
  import("./pages/smart-playlists").then((m) => ({ default: m.SmartPlaylistPage })),
);
const ConnectPage = lazy(() => import("./pages/connect").then((m) => ({ default: m.ConnectPage })));
const ArtistAnalyticsPage = lazy(() =>
  import("./pages/artist-analytics").then((m) => ({ default: m.ArtistAnalyticsPage })),
);
const OpsPage = lazy(() => import("./pages/ops").then((m) => ({ default: m.OpsPage })));

export function App() {
  const { user } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);

  // Move focus to the page after navigation, so screen readers and keyboards start there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <Link to="/" className="brand" aria-label="JONQUILS home">
          <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
            <circle cx="16" cy="16" r="15" fill="#f2c94c" />
            <circle cx="16" cy="16" r="6" fill="#e07a1f" />
          </svg>
          <span>JONQUILS</span>
        </Link>
        <SearchBox
          key={location.pathname === "/search" ? `search:${location.search}` : "other"}
          initial={
            location.pathname === "/search"
              ? (new URLSearchParams(location.search).get("q") ?? "")
              : ""
          }
        />
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end>
                Home
              </NavLink>
            </li>
            {user && (
              <>
                <li>
                  <NavLink to="/playlists">Playlists</NavLink>
                </li>
                <li>
                  <NavLink to="/stats">My stats</NavLink>
                </li>
                <li>
                  <NavLink to="/studio">Studio</NavLink>
                </li>
                {user.role === "admin" && (
                  <li>
                    <NavLink to="/ops">Ops</NavLink>
                  </li>
                )}
              </>
            )}
          </ul>
        </nav>
        <div className="account">
          {user ? (
            <>
              <span className="muted" aria-label={`Signed in as ${user.username}`}>
                {user.username}
              </span>
              <NavLink to="/connect">Player apps</NavLink>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  // Signed out locally at once; the API call that ends the refresh token follows.
                  void logout();
                  void navigate("/");
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login">Sign in</NavLink>
              <NavLink to="/register" className="button">
                Sign up
              </NavLink>
            </>
          )}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/login" element={<LoginPage />} />
            <Route path="/register" element={<RegisterPage />} />
            <Route path="/search" element={<SearchPage />} />
            <Route path="/tracks/:id" element={<TrackPage />} />
            <Route path="/artists/:id" element={<ArtistPage />} />
            <Route path="/albums/:id" element={<AlbumPage />} />
            <Route path="/playlists/:id" element={<PlaylistPage />} />
            <Route path="/radio/:id" element={<RadioPage />} />
            <Route
              path="/liked"
              element={
                <RequireAuth>
                  <LikedSongsPage />
                </RequireAuth>
              }
            />
            <Route
              path="/smart/:id"
              element={
                <RequireAuth>
                  <SmartPlaylistPage />
                </RequireAuth>
              }
            />
            <Route
              path="/connect"
              element={
                <RequireAuth>
                  <ConnectPage />
                </RequireAuth>
              }
            />
            <Route
              path="/studio/analytics"
              element={
                <RequireAuth>
                  <ArtistAnalyticsPage />
                </RequireAuth>
              }
            />
            <Route
              path="/playlists"
              element={
                <RequireAuth>
                  <PlaylistsPage />
                </RequireAuth>
              }
            />
            <Route
              path="/studio"
              element={
                <RequireAuth>
                  <StudioPage />
                </RequireAuth>
              }
            />
            <Route
              path="/stats"
              element={
                <RequireAuth>
                  <StatsPage />
                </RequireAuth>
              }
            />
            <Route
              path="/ops"
              element={
                <RequireAuth role="admin">
                  <OpsPage />
                </RequireAuth>
              }
            />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </main>
      <PlayerBar />
    </div>
  );
}

function RequireAuth({ children, role }: { children: ReactNode; role?: Role }) {
  const { user, restoring } = useAuth();
  const location = useLocation();
  if (restoring) return <Loading label="Signing you in…" />;
  if (!user)
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (role && user.role !== role) {
    return (
      <div className="state state-error" role="alert">
        <h1>Not for this account</h1>
        <p>This page is for {role}s only.</p>
      </div>
    );
  }
  return children;
}
