import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { get, request, setCsrfToken, type Session } from './api.js';

interface SessionState {
  loggedIn: boolean | undefined;
  login(token: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionState>({ loggedIn: undefined, login: async () => {}, logout: async () => {} });

/**
 * Reads are open; actions need the engine's token, which the server turns into an HttpOnly
 * cookie: the page only ever holds the CSRF token it must echo.
 */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [loggedIn, setLoggedIn] = useState<boolean | undefined>(undefined);
  const apply = useCallback((session: Session) => {
    setCsrfToken(session.csrf_token);
    setLoggedIn(session.logged_in);
  }, []);
  useEffect(() => {
    get<Session>('/session').then(apply, () => setLoggedIn(false));
  }, [apply]);
  const login = useCallback(async (token: string) => apply(await request<Session>('POST', '/session', { token })), [apply]);
  const logout = useCallback(async () => apply(await request<Session>('DELETE', '/session')), [apply]);
  return <SessionContext.Provider value={{ loggedIn, login, logout }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}
