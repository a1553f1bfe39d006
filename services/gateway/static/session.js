// @ts-check
// The signed-in session, kept in sessionStorage (one tab, gone when it closes): the
// access token and when it expires, the refresh token, the user's profile and whether
// they must change their password first.

const TOKEN_KEY = "eoffice.token";
const USER_KEY = "eoffice.user";
const EXPIRES_KEY = "eoffice.expires";
const REFRESH_KEY = "eoffice.refresh";
const MUST_CHANGE_KEY = "eoffice.mustChangePassword";
// kept by state.js; a new session starts without them
const SESSION_EXTRAS = ["eoffice.unit", "eoffice.workSummaries"];

/**
 * A login, refresh or password-change answer.
 * @typedef {{access_token: string, refresh_token?: string, user: any, expires_in?: number,
 *   must_change_password?: boolean}} SignInAnswer
 */

export const session = {
  /** The access token; null once it expired without a refresh token. @returns {string | null} */
  get token() {
    const expires = this.expiresAt;
    if (expires && Date.now() > expires && !this.refreshToken) {
      this.clear();
      return null;
    }
    return sessionStorage.getItem(TOKEN_KEY);
  },
  /** When the access token expires (ms since the epoch), 0 when unknown. */
  get expiresAt() {
    return Number(sessionStorage.getItem(EXPIRES_KEY) || 0);
  },
  /** @returns {string | null} */
  get refreshToken() {
    return sessionStorage.getItem(REFRESH_KEY) || null;
  },
  get mustChangePassword() {
    return sessionStorage.getItem(MUST_CHANGE_KEY) === "1";
  },
  /** Keep a login, refresh or password-change answer. @param {SignInAnswer} answer */
  signIn(answer) {
    this.set(answer.access_token, answer.user, answer.expires_in);
    sessionStorage.setItem(REFRESH_KEY, answer.refresh_token || "");
    sessionStorage.setItem(MUST_CHANGE_KEY, answer.must_change_password ? "1" : "0");
  },
  /** The signed-in user's profile (GET /me). @returns {any} */
  get user() {
    try {
      return JSON.parse(sessionStorage.getItem(USER_KEY) || "null");
    } catch {
      return null;
    }
  },
  /** @param {string} token @param {any} user @param {number} [expiresIn] seconds */
  set(token, user, expiresIn) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
    if (expiresIn) sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + expiresIn * 1000));
  },
  /** @param {any} user */
  setUser(user) {
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    for (const key of [TOKEN_KEY, USER_KEY, EXPIRES_KEY, REFRESH_KEY, MUST_CHANGE_KEY, ...SESSION_EXTRAS]) {
      sessionStorage.removeItem(key);
    }
  },
};
