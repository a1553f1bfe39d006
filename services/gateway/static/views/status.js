// @ts-check
import { api } from "../api.js";
import { alertBox, h, loadingBox, pageHeading } from "../dom.js";
import { formatDateTime } from "../dates.js";
import { t } from "../i18n.js";
import { errorPanel } from "../widgets.js";

const SERVICES = ["documents", "workflow", "search", "notify", "storage", "signing", "exchange"];

export function renderStatus(view) {
  const refresh = h("button", { type: "button", class: "btn btn-secondary" }, "↻ ", t("refresh"));
  const body = h("div", { "aria-live": "polite" }, loadingBox());
  view.append(pageHeading(t("statusTitle"), refresh), body);

  async function load() {
    refresh.disabled = true;
    body.replaceChildren(loadingBox());
    try {
      const health = await api.health();
      draw(health);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    } finally {
      refresh.disabled = false;
    }
  }

  function draw(health) {
    if (!health || !health.services) {
      body.replaceChildren(alertBox("error", t("statusUnknown")));
      return;
    }
    const names = [...SERVICES, ...Object.keys(health.services).filter((n) => !SERVICES.includes(n))];
    body.replaceChildren(
      alertBox(health.status === "ok" ? "success" : "warning",
        health.status === "ok" ? t("statusOk") : t("statusDegraded")),
      h("ul", { class: "status-grid" }, names.filter((n) => health.services[n]).map((name) => {
        const state = health.services[name].status;
        const label = state === "up" ? t("serviceUp") : state === "down" ? t("serviceDown") : t("serviceDegraded");
        const key = `service_${name}`;
        return h("li", { class: ["status-card", `is-${state}`] },
          h("span", { class: "status-dot", "aria-hidden": "true" }),
          h("span", { class: "status-name" },
            h("strong", {}, t(key) === key ? name : t(key)),
            h("span", { class: "muted" }, name)),
          h("span", { class: "status-state" }, label));
      })),
      h("p", { class: "muted" }, t("checkedAt", formatDateTime(new Date().toISOString()))));
  }

  refresh.addEventListener("click", load);
  load();
  return { title: t("statusTitle") };
}
