// @ts-check
// The page's header: the brand, the signed-in user and the unit they work in, the
// unread bell, the language toggle, logout, and the navigation with its counters.

import { h, icon } from "./dom.js";
import { lang, setLang, t } from "./i18n.js";
import { roleLabel } from "./labels.js";
import { session } from "./session.js";
import { chooseMembership, currentMembership, hasRole, seesReceivedDocuments, unread } from "./state.js";

/**
 * The counters the header shows besides the unread count: my work to do, and the
 * electronic documents waiting for the văn thư (liên thông).
 * @type {{todo: number | null, exchange: number | null}}
 */
export const counts = { todo: null, exchange: null };

const header = document.getElementById("app-header");
const BELL = "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z";

/**
 * What the header needs from the shell: the route being shown (its `nav` item is
 * marked), what changing the language or the unit redraws, and logout.
 * @typedef {{activeRoute: {nav?: string, bare?: boolean} | null, redraw: () => void, logout: () => void}} HeaderContext
 */

function brand() {
  return h("a", { class: "brand", href: "#/" },
    h("span", { class: "emblem", "aria-hidden": "true" }, "eO"),
    h("span", { class: "brand-text" },
      h("span", { class: "brand-name" }, t("appName")),
      h("span", { class: "brand-tagline" }, t("appTagline"))));
}

/** @param {() => void} redraw */
function languageButton(redraw) {
  const other = lang() === "vi" ? "en" : "vi";
  return h("button", {
    type: "button", class: "btn-header lang-toggle", id: "lang-toggle", lang: other,
    "aria-label": t("switchLanguageLabel"),
    onclick: () => {
      setLang(other);
      redraw();
    },
  }, t("switchLanguage"));
}

/** @param {any} me @param {() => void} redraw */
function unitArea(me, redraw) {
  const memberships = me.memberships || [];
  const membership = currentMembership();
  if (memberships.length > 1) {
    const select = h("select", {
      id: "unit-select", class: "unit-select",
      onchange: () => {
        chooseMembership(memberships[select.selectedIndex]);
        redraw();
      },
    }, memberships.map((m) => h("option", {
      selected: m === membership || (m.unit_id === membership?.unit_id && m.role === membership?.role),
    }, `${m.unit_name} · ${roleLabel(m.role)}`)));
    return [h("label", { for: "unit-select", class: "visually-hidden" }, t("currentUnit")), select];
  }
  return membership ? h("span", { class: "user-unit", id: "user-unit" },
    membership.unit_name, " · ", h("span", { class: "user-role" }, roleLabel(membership.role))) : null;
}

/** @param {{nav?: string} | null} activeRoute */
function navigation(activeRoute) {
  const navItems = [
    ["incoming", "#/incoming", t("navIncoming")],
    hasRole("clerk") ? ["register", "#/incoming/new", t("navRegister")] : null,
    seesReceivedDocuments() ? ["exchange", "#/exchange/received", t("navExchange"), "exchange"] : null,
    ["outgoing", "#/outgoing", t("navOutgoing")],
    ["inbox", "#/inbox", t("navInbox"), "todo"],
    ["tasks", "#/tasks", t("navTasks")],
    ["notifications", "#/notifications", t("navNotifications"), "unread"],
    ["search", "#/search", t("navSearch")],
    ["reports", "#/reports", t("navReports")],
    ["settings", "#/settings", t("navSettings")],
    ["status", "#/status", t("navStatus")],
  ].filter(Boolean);
  return h("nav", { class: "main-nav", "aria-label": t("mainNav") },
    h("ul", {}, navItems.map(([key, href, label, counter]) => h("li", {},
      h("a", {
        href, class: ["nav-link", activeRoute?.nav === key && "is-active"],
        "aria-current": activeRoute?.nav === key ? "page" : null, dataset: { nav: key },
      }, label, counter ? h("span", { class: "nav-count", dataset: { counter }, hidden: true }) : null)))));
}

/** Draw the header for the route being shown. @param {HeaderContext} context */
export function renderHeader({ activeRoute, redraw, logout }) {
  const me = session.user;
  if (!me || !session.token || activeRoute?.bare) {
    header.replaceChildren(h("div", { class: "topbar" }, h("div", { class: "topbar-inner" }, brand(),
      h("div", { class: "user-area" }, languageButton(redraw)))));
    return;
  }
  const badge = h("span", { class: "badge-count", id: "unread-badge", hidden: !unread.value }, String(unread.value || ""));
  const bell = h("a", {
    href: "#/notifications", class: "btn-header bell", id: "bell",
    "aria-label": `${t("notifications")}: ${t("unreadCount", unread.value)}`,
    title: t("unreadCount", unread.value),
  }, icon(BELL), badge);
  header.replaceChildren(
    h("div", { class: "topbar" }, h("div", { class: "topbar-inner" },
      brand(),
      h("div", { class: "user-area" },
        h("div", { class: "user-info" },
          h("span", { class: "user-name", id: "user-name" }, me.full_name || me.username),
          unitArea(me, redraw)),
        bell,
        languageButton(redraw),
        h("button", { type: "button", class: "btn-header logout", id: "logout", onclick: logout }, t("logout"))))),
    navigation(activeRoute));
  updateCounters();
  // only when the page changes: a counter arriving later must not scroll the navigation
  // under the person's finger (or a click in flight)
  keepActiveNavInView();
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

/** Show the unread and to-do counts where the header has them. */
export function updateCounters() {
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
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-counter]"))) {
    const counter = el.dataset.counter;
    const value = counter === "unread" ? unread.value : counter === "exchange" ? counts.exchange : counts.todo;
    el.textContent = value ? String(value) : "";
    el.hidden = !value;
  }
}
unread.subscribe(updateCounters);
