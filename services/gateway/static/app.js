// e-Office web UI: the shell (header, navigation, language), a hash router and the
// header's counters. Each screen lives in views/*.js and draws into a fresh element.

import { api, onUnauthorized, session } from "./api.js";
import { h } from "./dom.js";
import { lang, roleLabel, setLang, t } from "./i18n.js";
import { startLive, stopLive } from "./live.js";
import {
  chooseMembership, currentMembership, hasRole, hooks, navigate, setFlash, unread,
} from "./state.js";
import { renderDocument } from "./views/document.js";
import { renderInbox } from "./views/inbox.js";
import { renderIncoming } from "./views/incoming.js";
import { renderLogin } from "./views/login.js";
import { renderNotifications } from "./views/notifications.js";
import { renderOutgoing } from "./views/outgoing.js";
import { renderPassword } from "./views/password.js";
import { renderOutgoingDocument } from "./views/outgoing-document.js";
import { renderOutgoingNew } from "./views/outgoing-new.js";
import { renderDelegations } from "./views/delegations.js";
import { renderRegister } from "./views/register.js";
import { renderReports } from "./views/reports.js";
import { renderSearch } from "./views/search.js";
import { renderSettings } from "./views/settings.js";
import { renderStatus } from "./views/status.js";
import { renderTask, renderTasks } from "./views/tasks.js";

const NEXT_KEY = "eoffice.next";
// The counts come live from the notification stream (live.js); this slow poll is the
// fallback for when the stream is down.
const POLL_MS = 120_000;
const LIVE_SETTLE_MS = 800;   // a burst of notifications refreshes once

const ROUTES = [
  { pattern: /^\/login$/, render: renderLogin, public: true, bare: true },
  { pattern: /^\/status$/, render: renderStatus, public: true, nav: "status" },
  { pattern: /^\/incoming$/, render: renderIncoming, nav: "incoming" },
  { pattern: /^\/incoming\/new$/, render: renderRegister, nav: "register" },
  { pattern: /^\/documents\/([^/]+)$/, render: renderDocument, names: ["id"] },
  { pattern: /^\/outgoing$/, render: renderOutgoing, nav: "outgoing" },
  { pattern: /^\/outgoing\/new$/, render: renderOutgoingNew, nav: "outgoing" },
  { pattern: /^\/outgoing\/([^/]+)$/, render: renderOutgoingDocument, names: ["id"], nav: "outgoing" },
  { pattern: /^\/inbox$/, render: renderInbox, nav: "inbox" },
  { pattern: /^\/notifications$/, render: renderNotifications, nav: "notifications" },
  { pattern: /^\/tasks$/, render: renderTasks, nav: "tasks" },
  { pattern: /^\/tasks\/([^/]+)$/, render: renderTask, names: ["id"], nav: "tasks" },
  { pattern: /^\/reports$/, render: renderReports, nav: "reports" },
  { pattern: /^\/delegations$/, render: renderDelegations, nav: "settings" },
  { pattern: /^\/search$/, render: renderSearch, nav: "search" },
  { pattern: /^\/settings$/, render: renderSettings, nav: "settings" },
  { pattern: /^\/password$/, render: renderPassword, nav: "settings" },
];

const header = document.getElementById("app-header");
const main = document.getElementById("main");
const counts = { todo: null };
let pollTimer = null;
let liveTimer = null;
let firstRender = true;

// ------------------------------------------------------------------ header

const SVG_NS = "http://www.w3.org/2000/svg";
function icon(pathData) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", pathData);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}
const BELL = "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z";

function brand() {
  return h("a", { class: "brand", href: "#/" },
    h("span", { class: "emblem", "aria-hidden": "true" }, "eO"),
    h("span", { class: "brand-text" },
      h("span", { class: "brand-name" }, t("appName")),
      h("span", { class: "brand-tagline" }, t("appTagline"))));
}

function languageButton() {
  const other = lang() === "vi" ? "en" : "vi";
  return h("button", {
    type: "button", class: "btn-header lang-toggle", id: "lang-toggle", lang: other,
    "aria-label": t("switchLanguageLabel"),
    onclick: () => {
      setLang(other);
      renderHeader(currentRoute());
      route();
    },
  }, t("switchLanguage"));
}

function unitArea(me) {
  const memberships = me.memberships || [];
  const membership = currentMembership();
  if (memberships.length > 1) {
    const select = h("select", {
      id: "unit-select", class: "unit-select",
      onchange: () => {
        const chosen = memberships[select.selectedIndex];
        chooseMembership(chosen);
        renderHeader(currentRoute());
        route();
      },
    }, memberships.map((m) => h("option", {
      selected: m === membership || (m.unit_id === membership?.unit_id && m.role === membership?.role),
    }, `${m.unit_name} · ${roleLabel(m.role)}`)));
    return [h("label", { for: "unit-select", class: "visually-hidden" }, t("currentUnit")), select];
  }
  return membership ? h("span", { class: "user-unit", id: "user-unit" },
    membership.unit_name, " · ", h("span", { class: "user-role" }, roleLabel(membership.role))) : null;
}

function renderHeader(activeRoute) {
  const me = session.user;
  if (!me || !session.token || activeRoute?.bare) {
    header.replaceChildren(h("div", { class: "topbar" }, h("div", { class: "topbar-inner" }, brand(),
      h("div", { class: "user-area" }, languageButton()))));
    return;
  }
  const badge = h("span", { class: "badge-count", id: "unread-badge", hidden: !unread.value }, String(unread.value || ""));
  const bell = h("a", {
    href: "#/notifications", class: "btn-header bell", id: "bell",
    "aria-label": `${t("notifications")}: ${t("unreadCount", unread.value)}`,
    title: t("unreadCount", unread.value),
  }, icon(BELL), badge);
  const navItems = [
    ["incoming", "#/incoming", t("navIncoming")],
    hasRole("clerk") ? ["register", "#/incoming/new", t("navRegister")] : null,
    ["outgoing", "#/outgoing", t("navOutgoing")],
    ["inbox", "#/inbox", t("navInbox"), "todo"],
    ["tasks", "#/tasks", t("navTasks")],
    ["notifications", "#/notifications", t("navNotifications"), "unread"],
    ["search", "#/search", t("navSearch")],
    ["reports", "#/reports", t("navReports")],
    ["settings", "#/settings", t("navSettings")],
    ["status", "#/status", t("navStatus")],
  ].filter(Boolean);
  header.replaceChildren(
    h("div", { class: "topbar" }, h("div", { class: "topbar-inner" },
      brand(),
      h("div", { class: "user-area" },
        h("div", { class: "user-info" },
          h("span", { class: "user-name", id: "user-name" }, me.full_name || me.username),
          unitArea(me)),
        bell,
        languageButton(),
        h("button", { type: "button", class: "btn-header logout", id: "logout", onclick: logout }, t("logout"))))),
    h("nav", { class: "main-nav", "aria-label": t("mainNav") },
      h("ul", {}, navItems.map(([key, href, label, counter]) => h("li", {},
        h("a", {
          href, class: ["nav-link", activeRoute?.nav === key && "is-active"],
          "aria-current": activeRoute?.nav === key ? "page" : null, dataset: { nav: key },
        }, label, counter ? h("span", { class: "nav-count", dataset: { counter }, hidden: true }) : null))))));

  updateCounters();
}

/** On a narrow screen the navigation scrolls sideways: keep the current item in sight. */
function keepActiveNavInView() {
  const navList = header.querySelector(".main-nav ul");
  const active = navList?.querySelector(".is-active");
  if (!active || navList.scrollWidth <= navList.clientWidth) return;
  const item = active.getBoundingClientRect();
  const list = navList.getBoundingClientRect();
  if (item.right > list.right) navList.scrollLeft += item.right - list.right + 16;
  else if (item.left < list.left) navList.scrollLeft -= list.left - item.left + 16;
}

function updateCounters() {
  const badge = document.getElementById("unread-badge");
  if (badge) {
    badge.textContent = unread.value ? String(unread.value > 99 ? "99+" : unread.value) : "";
    badge.hidden = !unread.value;
  }
  const bell = document.getElementById("bell");
  if (bell) {
    bell.setAttribute("aria-label", `${t("notifications")}: ${t("unreadCount", unread.value)}`);
    bell.title = t("unreadCount", unread.value);
  }
  for (const el of document.querySelectorAll("[data-counter]")) {
    const value = el.dataset.counter === "unread" ? unread.value : counts.todo;
    el.textContent = value ? String(value) : "";
    el.hidden = !value;
  }
  keepActiveNavInView();
}
unread.subscribe(updateCounters);

async function refreshCounts() {
  if (!session.token) return;
  const [notes, inbox] = await Promise.allSettled([
    api.notifications({ unread: "true", page_size: 1 }),
    api.inbox({ view: "todo", page_size: 1 }),
  ]);
  if (notes.status === "fulfilled" && notes.value) unread.set(notes.value.unread ?? notes.value.total ?? 0);
  if (inbox.status === "fulfilled" && inbox.value) {
    counts.todo = inbox.value.counts?.todo ?? inbox.value.total ?? null;
    updateCounters();
  }
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

/**
 * A notification came live: the badge rises at once; the counts are read again and
 * the inbox or the notifications list, when open, is drawn again in place (scroll
 * and focus kept).
 */
function onLiveNotification() {
  unread.set((unread.value || 0) + 1);
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    refreshCounts();
    if (["inbox", "notifications"].includes(currentRoute()?.nav) && !document.querySelector("dialog[open]")) {
      const y = window.scrollY;
      const focusedId = document.activeElement?.id;
      main.style.minHeight = `${main.offsetHeight}px`;   // no jump while the list reloads
      route();
      window.scrollTo(0, y);
      const focused = focusedId && document.getElementById(focusedId);
      if (focused) focused.focus({ preventScroll: true });
      else document.activeElement?.blur();
      setTimeout(() => { main.style.minHeight = ""; }, 3000);
    }
  }, LIVE_SETTLE_MS);
}

function logout() {
  if (session.token) api.logout().catch(() => {});   // revokes the session on the server
  session.clear();
  stopPolling();
  unread.set(0);
  counts.todo = null;
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

function match(path) {
  for (const entry of ROUTES) {
    const found = entry.pattern.exec(path);
    if (found) {
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
  const membership = currentMembership();
  return membership?.role === "clerk" ? "#/incoming" : "#/inbox";
}

function route() {
  const { path, query } = parseHash();
  const signedIn = Boolean(session.token);
  if (path === "/") {
    location.replace(signedIn ? defaultHash() : "#/login");
    return;
  }
  const found = match(path);
  if (!found) {
    renderHeader(null);
    main.replaceChildren(h("div", { class: "view" },
      h("h1", { id: "page-title", tabindex: "-1" }, t("notFoundRoute")),
      h("p", {}, h("a", { href: "#/" }, t("back")))));
    return;
  }
  const { entry, params } = found;
  if (!entry.public && !signedIn) {
    sessionStorage.setItem(NEXT_KEY, location.hash);
    location.replace("#/login");
    return;
  }
  if (entry.bare && signedIn) {
    location.replace(defaultHash());
    return;
  }
  // after an administrator's reset, nothing but choosing a new password
  if (signedIn && session.mustChangePassword && path !== "/password") {
    location.replace("#/password");
    return;
  }
  renderHeader(entry);
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
  if (signedIn && !session.mustChangePassword) refreshCounts();
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

// The skip link moves focus without touching the route.
document.getElementById("skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  (document.getElementById("page-title") || main).focus();
});
setLang(lang());
window.addEventListener("hashchange", route);
if (session.token && !session.mustChangePassword) {
  startPolling();
  // Refresh the profile (roles may have changed); a 401 here goes back to login.
  api.me().then((me) => {
    if (me && me.id) {
      session.setUser(me);
      renderHeader(currentRoute());
    }
  }).catch(() => {});
}
route();
