// The gateway's API (/api/v1): the bearer token in sessionStorage, Accept-Language
// from the chosen language, and every error turned into an ApiError carrying the
// server's {error, message, details}. Access tokens last minutes: before a request,
// one about to expire is renewed with the refresh token (POST /auth/refresh, which
// gives a new refresh token each time).

import { lang, t } from "./i18n.js";

const BASE = "/api/v1";
const TOKEN_KEY = "eoffice.token";
const USER_KEY = "eoffice.user";
const EXPIRES_KEY = "eoffice.expires";
const REFRESH_KEY = "eoffice.refresh";
const MUST_CHANGE_KEY = "eoffice.mustChangePassword";
const RENEW_BEFORE_MS = 30_000;   // renew an access token this long before it expires

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details && typeof details === "object" ? details : {};
  }
}

let unauthorizedHandler = () => {};

/** Called (once per burst) when the API answers 401 to a signed-in request. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export const session = {
  get token() {
    const expires = Number(sessionStorage.getItem(EXPIRES_KEY) || 0);
    if (expires && Date.now() > expires && !sessionStorage.getItem(REFRESH_KEY)) {
      this.clear();
      return null;
    }
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get mustChangePassword() {
    return sessionStorage.getItem(MUST_CHANGE_KEY) === "1";
  },
  /** Keep a login, refresh or password-change answer. */
  signIn(answer) {
    this.set(answer.access_token, answer.user, answer.expires_in);
    sessionStorage.setItem(REFRESH_KEY, answer.refresh_token || "");
    sessionStorage.setItem(MUST_CHANGE_KEY, answer.must_change_password ? "1" : "0");
  },
  get user() {
    try {
      return JSON.parse(sessionStorage.getItem(USER_KEY) || "null");
    } catch {
      return null;
    }
  },
  set(token, user, expiresIn) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
    if (expiresIn) sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + expiresIn * 1000));
  },
  setUser(user) {
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    for (const key of [TOKEN_KEY, USER_KEY, EXPIRES_KEY, REFRESH_KEY, MUST_CHANGE_KEY, "eoffice.unit", "eoffice.workSummaries"]) sessionStorage.removeItem(key);
  },
};

function headers(extra = {}) {
  const result = { Accept: "application/json", "Accept-Language": lang(), ...extra };
  const token = session.token;
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

function queryString(query) {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The ApiError an answer with HTTP status `status` and (parsed) body `body` stands for. */
function errorOf(status, body) {
  if (body && typeof body === "object" && body.message) {
    return new ApiError(status, body.error || "ERROR", body.message, body.details);
  }
  return new ApiError(status, "HTTP_" + status, `HTTP ${status}`);
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return errorOf(response.status, body);
}

/**
 * fetch() of an API URL (`path` below /api/v1, with its query string) that resolves to
 * the response when it is ok or its status is one of `allowStatus`. Otherwise it throws
 * an ApiError: a network one when nothing came back, else the server's; a 401 also
 * ends the session (when `auth`) and tells the onUnauthorized handler.
 */
let renewing = null;

/** Renew the access token when it expires within RENEW_BEFORE_MS (one call at a time). */
export async function ensureFresh() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  const expires = Number(sessionStorage.getItem(EXPIRES_KEY) || 0);
  if (!refresh || !expires || Date.now() < expires - RENEW_BEFORE_MS) return;
  renewing ||= (async () => {
    try {
      const response = await fetch(`${BASE}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": lang() },
        body: JSON.stringify({ refresh_token: refresh }),
      });
      if (response.ok) {
        session.signIn(await response.json());
      } else if (response.status === 401) {
        const error = await errorFrom(response);
        session.clear();
        unauthorizedHandler(error);
      }
    } catch {
      /* offline: the request itself will say so */
    } finally {
      renewing = null;
    }
  })();
  await renewing;
}

async function apiFetch(path, init, { auth = true, allowStatus = [] } = {}) {
  let response;
  if (init.headers?.Authorization) {
    await ensureFresh();
    const token = session.token;
    if (token) init.headers.Authorization = `Bearer ${token}`;
  }
  try {
    response = await fetch(BASE + path, init);
  } catch {
    throw new ApiError(0, "NETWORK", t("networkError"));
  }
  if (response.ok || allowStatus.includes(response.status)) return response;
  const error = await errorFrom(response);
  if (response.status === 401 && auth) {
    session.clear();
    unauthorizedHandler(error);
  }
  throw error;
}

/** Any call. `allowStatus` lists non-2xx statuses whose JSON body is still returned. */
export async function request(method, path, { body, query, auth = true, allowStatus = [] } = {}) {
  const init = { method, headers: headers(body !== undefined ? { "Content-Type": "application/json" } : {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await apiFetch(path + queryString(query), init, { auth, allowStatus });
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export const api = {
  login: (username, password) =>
    request("POST", "/auth/login", { body: { username, password }, auth: false }),
  // Sign-in through the organisation's directory: which methods are on, and the session
  // of a finished OpenID Connect sign-in (the gateway holds it in an HttpOnly cookie).
  authMethods: () => request("GET", "/auth/methods", { auth: false }),
  oidcSession: () => request("POST", "/auth/oidc/session", { auth: false }),
  me: () => request("GET", "/me"),
  logout: () => request("POST", "/auth/logout", { auth: false }),
  changePassword: (oldPassword, newPassword) =>
    request("POST", "/auth/password", { body: { old_password: oldPassword, new_password: newPassword } }),
  // a one-time ticket that opens the notification stream (no token in the URL)
  streamTicket: () => request("POST", "/notifications/stream-ticket"),
  deactivateUser: (id) => request("POST", `/users/${encodeURIComponent(id)}/deactivate`),
  reactivateUser: (id) => request("POST", `/users/${encodeURIComponent(id)}/reactivate`),
  resetPassword: (id) => request("POST", `/users/${encodeURIComponent(id)}/password-reset`),
  health: () => request("GET", "/health", { auth: false, allowStatus: [503] }),
  listIncoming: (query) => request("GET", "/incoming", { query }),
  getIncoming: (id) => request("GET", `/incoming/${encodeURIComponent(id)}`),
  registerIncoming: (body) => request("POST", "/incoming", { body }),
  createUpload: (body) => request("POST", "/uploads", { body }),
  getFile: (id) => request("GET", `/files/${encodeURIComponent(id)}`),
  inbox: (query) => request("GET", "/inbox", { query }),
  notifications: (query) => request("GET", "/notifications", { query }),
  markRead: (id) => request("POST", `/notifications/${encodeURIComponent(id)}/read`),
  markAllRead: () => request("POST", "/notifications/read-all"),
  search: (query) => request("GET", "/search", { query }),
  savedSearches: () => request("GET", "/saved-searches"),
  saveSearch: (body) => request("POST", "/saved-searches", { body }),
  deleteSavedSearch: (id) => request("DELETE", `/saved-searches/${encodeURIComponent(id)}`),
  // the search index's rebuild (administrators)
  reindexStatus: () => request("GET", "/search/reindex"),
  startReindex: () => request("POST", "/search/reindex"),
  documentTypes: () => request("GET", "/document-types"),
  listUnits: (query) => request("GET", "/units", { query }),
  listRegisters: (query) => request("GET", "/registers", { query }),
  listOutgoing: (query) => request("GET", "/outgoing", { query }),
  getOutgoing: (id) => request("GET", `/outgoing/${encodeURIComponent(id)}`),
  createOutgoing: (body) => request("POST", "/outgoing", { body }),
  addOutgoingVersion: (id, body) => request("POST", `/outgoing/${encodeURIComponent(id)}/versions`, { body }),
  actOnOutgoing: (id, action, body = {}) =>
    request("POST", `/outgoing/${encodeURIComponent(id)}/${encodeURIComponent(action)}`, { body }),
  createCopy: (body) => request("POST", "/copies", { body }),
  listCopies: (query) => request("GET", "/copies", { query }),
  history: (id) => request("GET", `/documents/${encodeURIComponent(id)}/history`),
  getUnit: (id) => request("GET", `/units/${encodeURIComponent(id)}`),
  listUsers: (query) => request("GET", "/users", { query }),
  // alerts of changes of rights (lãnh đạo, quản trị)
  listRightsAlerts: (query) => request("GET", "/rights-alerts", { query }),
  confirmRightsAlert: (id) => request("POST", `/rights-alerts/${encodeURIComponent(id)}/confirm`),
  setUserClearance: (id, body) => request("PUT", `/users/${encodeURIComponent(id)}/clearance`, { body }),
  // workflow: processing of incoming documents and approval of outgoing drafts
  processing: (id) => request("GET", `/incoming/${encodeURIComponent(id)}/processing`),
  submitIncoming: (id, body) => request("POST", `/incoming/${encodeURIComponent(id)}/submit`, { body }),
  assignIncoming: (id, body) => request("POST", `/incoming/${encodeURIComponent(id)}/assign`, { body }),
  actOnAssignment: (itemId, action, body = {}) =>
    request("POST", `/assignments/${encodeURIComponent(itemId)}/${encodeURIComponent(action)}`, { body }),
  approvalChains: (unitId) => request("GET", "/approval-chains", { query: { unit_id: unitId } }),
  setApprovalChain: (body) => request("PUT", "/approval-chains", { body }),
  preferences: () => request("GET", "/notifications/preferences"),
  setPreferences: (body) => request("PUT", "/notifications/preferences", { body }),
  // tasks (công việc)
  listTasks: (query) => request("GET", "/tasks", { query }),
  getTask: (id) => request("GET", `/tasks/${encodeURIComponent(id)}`),
  createTask: (body) => request("POST", "/tasks", { body }),
  updateTask: (id, body) => request("POST", `/tasks/${encodeURIComponent(id)}/updates`, { body }),
  // reports and delegations (ủy quyền)
  reportProcessing: (query) => request("GET", "/reports/processing", { query }),
  listDelegations: (query) => request("GET", "/delegations", { query }),
  createDelegation: (body) => request("POST", "/delegations", { body }),
  revokeDelegation: (id) => request("POST", `/delegations/${encodeURIComponent(id)}/revoke`),
  // delegated work, unit rules, approval steps
  outgoingProcessing: (id) => request("GET", `/outgoing/${encodeURIComponent(id)}/processing`),
  unitRules: (unitId) => request("GET", `/units/${encodeURIComponent(unitId)}/processing-rules`),
  setUnitRules: (unitId, body) => request("PUT", `/units/${encodeURIComponent(unitId)}/processing-rules`, { body }),
};

/**
 * Upload one file: reserve it (POST /uploads), then PUT its bytes
 * to the signed URL with progress. Resolves to the reservation's file_id, or to null
 * without sending the bytes when `cancelled()` says so once the file is reserved.
 */
export async function uploadFile(file, onProgress = () => {}, { cancelled = () => false } = {}) {
  const reservation = await api.createUpload({
    filename: file.name, content_type: file.type || "application/octet-stream", size: file.size,
  });
  if (cancelled()) return null;
  await putFile(reservation.upload_url, file, onProgress);
  return reservation.file_id;
}

/**
 * PUT a file's bytes to the signed upload URL (the storage service, another
 * origin), reporting progress as a fraction. Resolves to the stored file record.
 */
export function putFile(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.setRequestHeader("Accept-Language", lang());
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body);
      } else {
        reject(errorOf(xhr.status, body));
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "NETWORK", t("networkError"))));
    xhr.addEventListener("abort", () => reject(new ApiError(0, "ABORTED", "aborted")));
    xhr.send(file);
  });
}

/**
 * Download a stored file: the gateway answers 302 to a signed URL on the storage
 * service, which the browser follows (dropping the Authorization header, as the
 * Fetch standard does across origins). The bytes are handed to the browser's
 * download with the file's own name.
 */
export async function downloadFile(fileId, filename) {
  const response = await apiFetch(`/files/${encodeURIComponent(fileId)}/content`, {
    headers: headers(), redirect: "follow",
  });
  saveBlob(await response.blob(), filename);
}

/** Hand bytes to the browser's download under `filename`. */
function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename || "download";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The filename of a Content-Disposition header (filename*=UTF-8'' first), or null. */
function dispositionName(header) {
  if (!header) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : null;
}

/**
 * Download a file the API renders (a register or a history as PDF/XLSX): an
 * authenticated GET whose body is saved under the server's filename. Resolves to it.
 */
export async function downloadExport(path, query, fallbackName = "download") {
  const response = await apiFetch(path + queryString(query), { headers: headers({ Accept: "*/*" }) });
  const filename = dispositionName(response.headers.get("Content-Disposition")) || fallbackName;
  saveBlob(await response.blob(), filename);
  return filename;
}
