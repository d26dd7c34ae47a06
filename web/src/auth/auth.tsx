import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { session } from "../api/client";
import { restoreSession } from "../api/endpoints";
import type { User } from "../api/types";

interface AuthState {
  user: User | null;
  /** True until a stored sign-in has been restored (or found missing). */
  restoring: boolean;
}

const AuthContext = createContext<AuthState>({ user: null, restoring: false });

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({
    user: session.current,
    restoring: session.current === null && session.hasRefreshToken,
  });

  useEffect(() => {
    const stop = session.subscribe((user) => setState({ user, restoring: false }));
    if (state.restoring) {
      void restoreSession().finally(() => setState({ user: session.current, restoring: false }));
    }
    return stop;
  }, []); // once, on mount

  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}

export const useAuth = () => useContext(AuthContext);
