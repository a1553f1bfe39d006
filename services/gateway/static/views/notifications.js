// @ts-check
// Thông báo: the caller's notifications, newest first, all or only the unread; each
// opens what it is about (a task, a document, the settings for a change of rights) and
// is marked read then; "mark all read".

import { api } from "../api.js";
import { formatDateTime } from "../dates.js";
import { h, loadingBox, pageHeading, urgencyBadge } from "../dom.js";
import { t } from "../i18n.js";
import { hooks, navigate, unread } from "../state.js";
import { errorPanel, notificationTarget, notificationTitle, pager } from "../widgets.js";

const PAGE_SIZE = 20;

/**
 * One notification: what it says, when, and the links to what it is about.
 * @param {any} note @param {(note: any) => Promise<boolean>} markOne @param {() => void} reload
 */
function noteItem(note, markOne, reload) {
  const isUnread = !note.read_at;
  const actions = h("div", { class: "note-actions" });
  const target = notificationTarget(note);
  if (target) {
    actions.append(h("a", {
      href: target, class: ["btn btn-secondary btn-small", note.task_id ? "note-open-task" : "note-open-document"],
      onclick: async (event) => {
        if (!isUnread) return;
        event.preventDefault();
        await markOne(note);
        navigate(target);
      },
    }, note.task_id ? t("openTask") : note.document_id || note.received_id ? t("openDocument") : t("settingsTitle")));
  }
  if (isUnread) {
    actions.append(h("button", {
      type: "button", class: "btn btn-link btn-small",
      onclick: async () => {
        if (await markOne(note)) reload();
      },
    }, t("markRead")));
  }
  return h("li", { class: ["note", isUnread ? "is-unread" : "is-read"] },
    h("div", { class: "note-main" },
      h("p", { class: "note-title" },
        isUnread ? h("span", { class: "dot", title: t("unreadLabel") }, h("span", { class: "visually-hidden" }, t("unreadLabel") + ": ")) : null,
        urgencyBadge(note.urgency, { showNormal: false }), note.urgency && note.urgency !== "normal" ? " " : null,
        notificationTitle(note)),
      h("p", { class: "note-body" }, note.body || ""),
      h("p", { class: "note-time" }, formatDateTime(note.created_at))),
    actions);
}

/** #/notifications. @param {HTMLElement} view @param {Record<string, string>} params @param {URLSearchParams} query */
export function renderNotifications(view, params, query) {
  const unreadOnly = query.get("unread") === "1";
  const page = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  const markAll = h("button", { type: "button", class: "btn btn-secondary", id: "mark-all-read" }, t("markAllRead"));
  const summary = h("p", { class: "muted page-sub", "aria-live": "polite" });
  const status = h("div");
  const body = h("div", {}, loadingBox());
  view.append(
    pageHeading(t("notificationsTitle"), markAll),
    h("nav", { class: "tabs", "aria-label": t("notificationFilter") },
      h("a", { href: "#/notifications", class: ["tab", !unreadOnly && "is-active"], "aria-current": !unreadOnly ? "page" : null }, t("showAll")),
      h("a", { href: "#/notifications?unread=1", class: ["tab", unreadOnly && "is-active"], "aria-current": unreadOnly ? "page" : null }, t("showUnread"))),
    summary, status, body);

  markAll.addEventListener("click", async () => {
    markAll.disabled = true;
    status.replaceChildren();
    try {
      await api.markAllRead();
      unread.set(0);
      hooks.refreshCounts();
      await load();
    } catch (error) {
      status.replaceChildren(errorPanel(error));
    } finally {
      markAll.disabled = false;
    }
  });

  async function markOne(note) {
    try {
      await api.markRead(note.id);
      hooks.refreshCounts();
    } catch (error) {
      status.replaceChildren(errorPanel(error));
      return false;
    }
    return true;
  }

  async function load() {
    try {
      const result = await api.notifications({ page, page_size: PAGE_SIZE, unread: unreadOnly ? "true" : undefined });
      unread.set(result.unread || 0);
      summary.textContent = t("unreadSummary", result.unread || 0, unreadOnly ? result.unread || 0 : result.total);
      markAll.disabled = !result.unread;
      draw(result);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(result) {
    if (!result.items.length) {
      body.replaceChildren(h("p", { class: "empty" }, t("emptyNotifications")));
      return;
    }
    body.replaceChildren(
      h("ul", { class: "notification-list" }, result.items.map((note) => noteItem(note, markOne, load))),
      pager({
        page: result.page || page, pageSize: result.page_size || PAGE_SIZE,
        total: result.total, noun: "items",
        onPage: (p) => navigate(`#/notifications?${unreadOnly ? "unread=1&" : ""}page=${p}`),
      }));
  }

  load();
  return { title: t("notificationsTitle") };
}
