// @ts-check
// The gateway's API (/api/v1): the bearer token of the session, Accept-Language from
// the chosen language, and every error turned into an ApiError carrying the server's
// {error, message, details}. Access tokens last minutes: before a request, one about to
// expire is renewed with the refresh token (POST /auth/refresh, which gives a new
// refresh token each time). Uploads and downloads are in transfer.js.

import { lang, t } from "./i18n.js";
import { session } from "./session.js";

const BASE = "/api/v1";
const RENEW_BEFORE_MS = 30_000;   // renew an access token this long before it expires

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status (0: no answer)
   * @param {string} code the server's error code
   * @param {string} message
   * @param {Record<string, any>} [details] problems by field
   */
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    /** @type {Record<string, any>} */
    this.details = details && typeof details === "object" ? details : {};
  }
}

/** @type {(error: ApiError) => void} */
let unauthorizedHandler = () => {};

/** Called (once per burst) when the API answers 401 to a signed-in request. @param {(error: ApiError) => void} handler */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** The headers of an API request, with the session's token. @param {Record<string, string>} [extra] @returns {Record<string, string>} */
export function headers(extra = {}) {
  /** @type {Record<string, string>} */
  const result = { Accept: "application/json", "Accept-Language": lang(), ...extra };
  const token = session.token;
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

/** "?a=1&b=2" without the empty values; "" when nothing is left. @param {Record<string, any> | null | undefined} query */
export function queryString(query) {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The ApiError an answer with HTTP status `status` and (parsed) body `body` stands for. @param {number} status @param {any} body */
export function errorOf(status, body) {
  if (body && typeof body === "object" && body.message) {
    return new ApiError(status, body.error || "ERROR", body.message, body.details);
  }
  return new ApiError(status, "HTTP_" + status, `HTTP ${status}`);
}

/** @param {Response} response */
async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return errorOf(response.status, body);
}

/** @type {Promise<void> | null} */
let renewing = null;

/** Renew the access token when it expires within RENEW_BEFORE_MS (one call at a time). */
export async function ensureFresh() {
  const refresh = session.refreshToken;
  const expires = session.expiresAt;
  if (!refresh || !expires || Date.now() < expires - RENEW_BEFORE_MS) return;
  renewing ||= renew(refresh).finally(() => { renewing = null; });
  await renewing;
}

/** @param {string} refresh */
async function renew(refresh) {
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
  }
}

/**
 * fetch() of an API URL (`path` below /api/v1, with its query string) that resolves to
 * the response when it is ok or its status is one of `allowStatus`. Otherwise it throws
 * an ApiError: a network one when nothing came back, else the server's; a 401 also
 * ends the session (when `auth`) and tells the onUnauthorized handler.
 * @param {string} path
 * @param {RequestInit & {headers?: Record<string, string>}} init
 * @param {{auth?: boolean, allowStatus?: number[]}} [options]
 */
export async function apiFetch(path, init, { auth = true, allowStatus = [] } = {}) {
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

/**
 * Any call; resolves to the answer's JSON (null when it has none). `allowStatus` lists
 * non-2xx statuses whose JSON body is still returned.
 * @param {string} method
 * @param {string} path
 * @param {{body?: any, query?: Record<string, any>, auth?: boolean, allowStatus?: number[]}} [options]
 * @returns {Promise<any>}
 */
export async function request(method, path, { body, query, auth = true, allowStatus = [] } = {}) {
  /** @type {RequestInit & {headers: Record<string, string>}} */
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

/** @typedef {Record<string, any>} Query */
/** @typedef {Record<string, any>} Body */

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
  // the vocabulary (urgencies, states, roles, document types…): public, read once at start
  getVocabulary: () => request("GET", "/vocabulary", { auth: false }),
  listIncoming: (query) => request("GET", "/incoming", { query }),
  getIncoming: (id) => request("GET", `/incoming/${encodeURIComponent(id)}`),
  registerIncoming: (body) => request("POST", "/incoming", { body }),
  createUpload: (body) => request("POST", "/uploads", { body }),
  getFile: (id) => request("GET", `/files/${encodeURIComponent(id)}`),
  // the verification of a PDF's digital signatures ({status: "pending"} until checked)
  fileSignatures: (id) => request("GET", `/files/${encodeURIComponent(id)}/signatures`),
  // the certificates the caller may sign with (their own; a unit's for its văn thư, head)
  signingCertificates: (query) => request("GET", "/signing/certificates", { query }),
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
  // liên thông: documents other agencies sent (waiting for the văn thư, who accepts one
  // into the register or returns it), each external recipient's statuses, the axis
  exchangeStatus: () => request("GET", "/exchange/status"),
  listReceived: (query) => request("GET", "/exchange/received", { query }),
  getReceived: (id) => request("GET", `/exchange/received/${encodeURIComponent(id)}`),
  acceptReceived: (id, body) => request("POST", `/exchange/received/${encodeURIComponent(id)}/accept`, { body }),
  returnReceived: (id, body) => request("POST", `/exchange/received/${encodeURIComponent(id)}/return`, { body }),
  // a 5-minute link to one of its files, before it is accepted too (view: the PDF inline)
  receivedFileLink: (id, fileId, query) =>
    request("GET", `/exchange/received/${encodeURIComponent(id)}/files/${encodeURIComponent(fileId)}/link`, { query }),
  answerRecall: (id, body) => request("POST", `/exchange/received/${encodeURIComponent(id)}/recall-answer`, { body }),
  // a recall or an update another agency asks: the văn thư agrees (15) or refuses (16)
  answerReceivedChange: (id, body) => request("POST", `/exchange/received/${encodeURIComponent(id)}/change-answer`, { body }),
  // the same, asked by a unit of this system of the incoming document it delivered
  answerIncomingChange: (id, body) => request("POST", `/incoming/${encodeURIComponent(id)}/change-answer`, { body }),
  listDeliveries: (outgoingId) => request("GET", `/outgoing/${encodeURIComponent(outgoingId)}/deliveries`),
  retryDelivery: (id) => request("POST", `/exchange/deliveries/${encodeURIComponent(id)}/retry`),
};
