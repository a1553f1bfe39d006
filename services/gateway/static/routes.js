// @ts-check
// The screens of the web UI by address (#/path): which view draws each, whether it
// needs a signed-in user, and which navigation item it marks.

import { renderDelegations } from "./views/delegations/page.js";
import { renderDocument } from "./views/document.js";
import { renderReceivedList } from "./views/exchange/list.js";
import { renderReceived } from "./views/exchange/received.js";
import { renderInbox } from "./views/inbox.js";
import { renderIncoming } from "./views/incoming.js";
import { renderLogin } from "./views/login.js";
import { renderNotifications } from "./views/notifications.js";
import { renderOutgoingDocument } from "./views/outgoing-document/page.js";
import { renderOutgoingNew } from "./views/outgoing-new.js";
import { renderOutgoing } from "./views/outgoing.js";
import { renderPassword } from "./views/password.js";
import { renderRegister } from "./views/register.js";
import { renderReports } from "./views/reports/page.js";
import { renderSearch } from "./views/search/page.js";
import { renderSettings } from "./views/settings/page.js";
import { renderStatus } from "./views/status.js";
import { renderTasks } from "./views/tasks/list.js";
import { renderTask } from "./views/tasks/task.js";

/**
 * What a view gives back: the page's title and where focus goes.
 * @typedef {{title?: string, focus?: HTMLElement | null} | void} ViewResult
 */
/**
 * @typedef {(view: HTMLElement, params: Record<string, string>, query: URLSearchParams,
 *   shell: {onLoggedIn: () => void}) => ViewResult} View
 */
/**
 * @typedef {{pattern: RegExp, render: View, names?: string[], public?: boolean, bare?: boolean, nav?: string}} Route
 */

/** @type {Route[]} */
export const ROUTES = [
  { pattern: /^\/login$/, render: renderLogin, public: true, bare: true },
  { pattern: /^\/status$/, render: renderStatus, public: true, nav: "status" },
  { pattern: /^\/incoming$/, render: renderIncoming, nav: "incoming" },
  { pattern: /^\/incoming\/new$/, render: renderRegister, nav: "register" },
  { pattern: /^\/documents\/([^/]+)$/, render: renderDocument, names: ["id"] },
  { pattern: /^\/exchange\/received$/, render: renderReceivedList, nav: "exchange" },
  { pattern: /^\/exchange\/received\/([^/]+)$/, render: renderReceived, names: ["id"], nav: "exchange" },
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
