// @ts-check
// Live notifications: while signed in, one EventSource on the gateway's
// /api/v1/notifications/stream (server-sent events). EventSource sends no headers and
// a token must never be in a URL, so each connection first gets a one-time ticket
// (POST /notifications/stream-ticket) and opens ?ticket=. The server ends the stream
// ("end") when the access token it was opened with expires or the session is revoked:
// we open a new one at once (the ticket request renews the token, or ends the session). The stream says the unread count when it opens
// ("unread") and then each new notification ("notification"), which is shown at once
// as a short toast in a polite live region. The browser reconnects by itself after a
// dropped connection; when the server refuses the stream (a 401 closes it for good) or
// it keeps failing, we close it and try again later, waiting longer each time, and let
// app.js re-read the counts (its 401 handling ends the session). app.js keeps a slow
// poll besides, so a lost stream costs freshness, never a notification.

import { api } from "./api.js";
import { session } from "./session.js";
import { h, urgencyBadge } from "./dom.js";
import { t } from "./i18n.js";
import { notificationTarget, notificationTitle } from "./components/links.js";

const STREAM_URL = "/api/v1/notifications/stream";
const FIRST_DELAY_MS = 5_000;        // our own retries: 5 s, 10 s, 20 s … up to 5 min
const MAX_DELAY_MS = 300_000;
const FAILURES_BEFORE_BACKOFF = 3;   // native retries (every 3 s, the server's "retry") first
const TOAST_MS = 8_000;
const URGENT_TOAST_MS = 15_000;
const MAX_TOASTS = 3;

let source = null;
let retryTimer = null;
let delay = FIRST_DELAY_MS;
let failures = 0;
let handlers = {};
let region = null;
let generation = 0;   // a connect() that awaited its ticket across a stop/start gives up

/**
 * Open the stream for the signed-in user. handlers: onUnread(count) when the stream
 * opens, onNotification(note) for each new one (after its toast is shown), onTrouble()
 * when the stream was given up for a while (app.js re-reads the counts then).
 */
export function startLive(newHandlers = {}) {
  stopLive();
  handlers = newHandlers;
  delay = FIRST_DELAY_MS;
  failures = 0;
  toastRegion();      // a live region must exist before anything is put in it
  connect();
}

/** Close the stream and forget any retry (logout, session over). */
export function stopLive() {
  generation += 1;
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) source.close();
  source = null;
  for (const toast of region?.querySelectorAll(".toast") || []) toast.remove();
}

/** Whether a stream is open or opening (for tests and diagnostics). */
export function liveState() {
  if (!source) return retryTimer ? "waiting" : "closed";
  return ["connecting", "open", "closed"][source.readyState] || "closed";
}

async function connect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (!session.token || typeof EventSource === "undefined") return;
  const mine = generation;
  let ticket;
  try {
    ticket = (await api.streamTicket()).ticket;
  } catch {
    if (mine !== generation) return;
    failures += 1;
    retryLater();
    return;
  }
  if (mine !== generation || !session.token || source) return;   // stopped meanwhile
  const stream = new EventSource(`${STREAM_URL}?ticket=${encodeURIComponent(ticket)}`);
  source = stream;
  stream.addEventListener("end", () => {
    if (source !== stream) return;
    stream.close();
    source = null;
    connect();
  });
  stream.addEventListener("open", () => {
    failures = 0;
    delay = FIRST_DELAY_MS;
  });
  stream.addEventListener("unread", (event) => {
    const data = parse(event);
    if (data && Number.isFinite(data.unread)) handlers.onUnread?.(data.unread);
  });
  stream.addEventListener("notification", (event) => {
    const note = parse(event);
    if (!note) return;
    showToast(note);
    handlers.onNotification?.(note);
  });
  stream.addEventListener("error", () => {
    if (source !== stream) return;
    // a ticket serves once: the browser's own retry would reuse it, so we reconnect
    failures += 1;
    stream.close();
    source = null;
    retryLater();
  });
}

function retryLater() {
  if (failures < FAILURES_BEFORE_BACKOFF) {
    retryTimer = setTimeout(connect, 3_000);
    return;
  }
  retryTimer = setTimeout(connect, delay);
  delay = Math.min(delay * 2, MAX_DELAY_MS);
  handlers.onTrouble?.();
}

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ toasts

function toastRegion() {
  if (!region || !region.isConnected) {
    region = h("div", {
      class: "toast-region", id: "toast-region", role: "status", "aria-live": "polite",
      "aria-label": t("liveRegionLabel"),
    });
    document.body.append(region);
  }
  return region;
}

function showToast(note) {
  const urgent = Boolean(note.urgency && note.urgency !== "normal");
  const href = notificationTarget(note) || "#/notifications";
  let timer = null;
  const dismiss = () => {
    clearTimeout(timer);
    toast.remove();
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(dismiss, urgent ? URGENT_TOAST_MS : TOAST_MS);
  };
  const body = String(note.body || "").split("\n")[0];
  const toast = h("div", { class: ["toast", urgent && "toast-urgent", urgent && `toast-${note.urgency}`], dataset: { id: note.id || "" } },
    h("div", { class: "toast-main" },
      h("p", { class: "toast-kicker" },
        urgent ? urgencyBadge(note.urgency) : null, urgent ? " " : null,
        h("span", {}, t("liveNew"))),
      h("p", { class: "toast-title" }, notificationTitle(note)),
      body ? h("p", { class: "toast-body" }, body.length > 140 ? `${body.slice(0, 139)}…` : body) : null),
    h("div", { class: "toast-actions" },
      h("a", { href, class: "btn btn-secondary btn-small toast-open", onclick: dismiss }, t("liveOpen")),
      h("button", {
        type: "button", class: "toast-close", "aria-label": t("liveDismiss"), title: t("liveDismiss"), onclick: dismiss,
      }, "×")));
  // Hovering or focusing a toast keeps it until the pointer or focus leaves.
  toast.addEventListener("mouseenter", () => clearTimeout(timer));
  toast.addEventListener("mouseleave", arm);
  toast.addEventListener("focusin", () => clearTimeout(timer));
  toast.addEventListener("focusout", arm);
  const area = toastRegion();
  area.append(toast);
  const shown = area.querySelectorAll(".toast");
  for (let i = 0; i < shown.length - MAX_TOASTS; i += 1) shown[i].remove();
  arm();
}
