// @ts-check
// e-Office web UI: the shell (header.js), a hash router and the header's counters. The
// API's vocabulary is read once before the first view; each screen lives in views/ and
// draws into a fresh element.

import { api, onUnauthorized } from "./api.js";
import { h } from "./dom.js";
import { counts, renderHeader, updateCounters } from "./header.js";
import { lang, setLang, t } from "./i18n.js";
import { startLive, stopLive } from "./live.js";
import { ROUTES } from "./routes.js";
import { session } from "./session.js";
import { currentMembership, hooks, navigate, seesReceivedDocuments, setFlash, setVocabulary, unread } from "./state.js";
import { errorPanel } from "./widgets.js";

/** @typedef {import("./routes.js").Route} Route */

const NEXT_KEY = "eoffice.next";
// The counts come live from the notification stream (live.js); this slow poll is the
// fallback for when the stream is down.
const POLL_MS = 120_000;
const LIVE_SETTLE_MS = 800;   // a burst of notifications refreshes once

const main = document.getElementById("main");
/** @type {ReturnType<typeof setInterval> | null} */
let pollTimer = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let liveTimer;
let firstRender = true;

/** @param {Route | null} activeRoute */
function drawHeader(activeRoute) {
  renderHeader({ activeRoute, logout, redraw: () => { drawHeader(currentRoute()); route(); } });
}

// ------------------------------------------------------------------ counts

async function refreshCounts() {
  if (!session.token) return;
  const [notes, inbox, received] = await Promise.allSettled([
    api.notifications({ unread: "true", page_size: 1 }),
    api.inbox({ view: "todo", page_size: 1 }),
    // the electronic documents waiting for the văn thư (văn thư and lãnh đạo see them)
    seesReceivedDocuments() ? api.listReceived({ state: "waiting", page_size: 1 }) : Promise.resolve(null),
  ]);
  if (notes.status === "fulfilled" && notes.value) unread.set(notes.value.unread ?? notes.value.total ?? 0);
  if (inbox.status === "fulfilled" && inbox.value) counts.todo = inbox.value.counts?.todo ?? inbox.value.total ?? null;
  if (received.status === "fulfilled") counts.exchange = received.value?.total ?? null;
  updateCounters();
}
hooks.refreshCounts = refreshCounts;

function startPolling() {
  stopPolling();
  refreshCounts();
  pollTimer = setInterval(refreshCounts, POLL_MS);
  startLive({ onUnread: (n) => unread.set(n), onNotification: onLiveNotification, onTrouble: refreshCounts });
}

function stopPolling() {
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
  clearTimeout(liveTimer);
  stopLive();
}

/** Draw the open view again in place: scroll and focus kept, no jump while it reloads. */
function redrawInPlace() {
  const y = window.scrollY;
  const focusedId = document.activeElement?.id;
  main.style.minHeight = `${main.offsetHeight}px`;
  route();
  window.scrollTo(0, y);
  const focused = focusedId && document.getElementById(focusedId);
  if (focused) focused.focus({ preventScroll: true });
  else /** @type {HTMLElement | null} */ (document.activeElement)?.blur();
  setTimeout(() => { main.style.minHeight = ""; }, 3000);
}

/**
 * A notification came live: the badge rises at once; the counts are read again and the
 * inbox or the notifications list, when open, is drawn again in place.
 */
function onLiveNotification() {
  unread.set((unread.value || 0) + 1);
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    refreshCounts();
    if (["inbox", "notifications"].includes(currentRoute()?.nav) && !document.querySelector("dialog[open]")) {
      redrawInPlace();
    }
  }, LIVE_SETTLE_MS);
}

function logout() {
  if (session.token) api.logout().catch(() => {});   // revokes the session on the server
  session.clear();
  stopPolling();
  unread.set(0);
  counts.todo = null;
  counts.exchange = null;
  navigate("#/login");
}

onUnauthorized(() => {
  stopPolling();
  if (currentRoute()?.bare) return;
  setFlash("info", t("sessionExpired"));
  sessionStorage.setItem(NEXT_KEY, location.hash);
  navigate("#/login");
});

// ------------------------------------------------------------------ router

function parseHash() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/";
  const [path, search = ""] = raw.split("?");
  return { path: path.replace(/\/+$/, "") || "/", query: new URLSearchParams(search) };
}

/** @param {string} path @returns {{entry: Route, params: Record<string, string>} | null} */
function match(path) {
  for (const entry of ROUTES) {
    const found = entry.pattern.exec(path);
    if (found) {
      /** @type {Record<string, string>} */
      const params = {};
      (entry.names || []).forEach((name, i) => { params[name] = decodeURIComponent(found[i + 1]); });
      return { entry, params };
    }
  }
  return null;
}

function currentRoute() {
  return match(parseHash().path)?.entry || null;
}

function defaultHash() {
  return currentMembership()?.role === "clerk" ? "#/incoming" : "#/inbox";
}

/** Where to go instead of `path` (sign in first, a new password first…), or null. @param {string} path @param {Route} entry */
function redirectFor(path, entry) {
  const signedIn = Boolean(session.token);
  if (!entry.public && !signedIn) {
    sessionStorage.setItem(NEXT_KEY, location.hash);
    return "#/login";
  }
  if (entry.bare && signedIn) return defaultHash();
  // after an administrator's reset, nothing but choosing a new password
  if (signedIn && session.mustChangePassword && path !== "/password") return "#/password";
  return null;
}

function notFound() {
  drawHeader(null);
  main.replaceChildren(h("div", { class: "view" },
    h("h1", { id: "page-title", tabindex: "-1" }, t("notFoundRoute")),
    h("p", {}, h("a", { href: "#/" }, t("back")))));
}

function route() {
  const { path, query } = parseHash();
  if (path === "/") {
    location.replace(session.token ? defaultHash() : "#/login");
    return;
  }
  const found = match(path);
  if (!found) {
    notFound();
    return;
  }
  const { entry, params } = found;
  const elsewhere = redirectFor(path, entry);
  if (elsewhere) {
    location.replace(elsewhere);
    return;
  }
  drawHeader(entry);
  document.getElementById("skip-link").textContent = t("skipToContent");
  document.getElementById("footer-text").textContent = `${t("appName")} · ${t("appTagline")} · NĐ 30/2020/NĐ-CP`;
  const view = h("div", { class: ["view", entry.bare && "view-bare"] });
  main.replaceChildren(view);
  document.body.classList.toggle("is-bare", Boolean(entry.bare));
  const result = entry.render(view, params, query, { onLoggedIn }) || {};
  document.title = `${result.title || t("appName")} · ${t("appName")}`;
  const target = result.focus || document.getElementById("page-title");
  if (target && (!firstRender || entry.bare)) target.focus({ preventScroll: false });
  if (!firstRender) window.scrollTo(0, 0);
  firstRender = false;
  if (session.token && !session.mustChangePassword) refreshCounts();
}

function onLoggedIn() {
  if (session.mustChangePassword) {
    navigate("#/password");
    return;
  }
  startPolling();
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  navigate(next && next.startsWith("#/") && !next.startsWith("#/login") ? next : defaultHash());
}

// ------------------------------------------------------------------ start

/** The vocabulary every view names things with; without it, say so and offer to retry. */
async function loadVocabulary() {
  try {
    setVocabulary(await api.getVocabulary());
    return true;
  } catch (error) {
    main.replaceChildren(h("div", { class: "view" },
      h("h1", { id: "page-title", tabindex: "-1" }, t("appName")),
      errorPanel(error, () => start())));
    return false;
  }
}

async function start() {
  if (!(await loadVocabulary())) return;
  window.addEventListener("hashchange", route);
  if (session.token && !session.mustChangePassword) {
    startPolling();
    // Refresh the profile (roles may have changed); a 401 here goes back to login.
    api.me().then((me) => {
      if (me && me.id) {
        session.setUser(me);
        drawHeader(currentRoute());
      }
    }).catch(() => {});
  }
  route();
}

// The skip link moves focus without touching the route.
document.getElementById("skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  (document.getElementById("page-title") || main).focus();
});
setLang(lang());
start();
