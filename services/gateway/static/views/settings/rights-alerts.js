// @ts-check
// The changes of rights in the caller's units that wait for their confirmation (leaders
// and administrators), each confirmed with a button.

import { api } from "../../api.js";
import { formatDateTime } from "../../dates.js";
import { h, loadingBox } from "../../dom.js";
import { lang, t } from "../../i18n.js";
import { errorPanel } from "../../widgets.js";

/** One alert, with "confirm" when the caller may. @param {any} alert */
function alertItem(alert) {
  const status = h("span", { role: "status" });
  const confirm = alert.may_confirm
    ? h("button", { type: "button", class: "btn btn-secondary", "data-alert": alert.id }, t("rightsConfirm"))
    : null;
  confirm?.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await api.confirmRightsAlert(alert.id);
      status.textContent = t("rightsConfirmed");
      confirm.remove();
    } catch (error) {
      confirm.disabled = false;
      status.textContent = error.message;
    }
  });
  return h("li", { class: "rights-alert" },
    h("strong", {}, `${alert.change_name?.[lang()] || alert.change}: ${alert.user_name || alert.user_id}`),
    h("div", { class: "muted" },
      `${(alert.unit_names || []).filter(Boolean).join(", ")} · ${t("rightsBy")}: `
      + `${alert.changed_by_name || alert.changed_by} · ${formatDateTime(alert.created_at)}`),
    confirm, " ", status);
}

export function rightsAlertsPanel() {
  const body = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel", id: "rights-alerts", "aria-labelledby": "rights-alerts-title" },
    h("h2", { id: "rights-alerts-title" }, t("rightsTitle")),
    h("p", { class: "muted" }, t("rightsIntro")), body);

  async function load() {
    try {
      const alerts = (await api.listRightsAlerts({ state: "open", page_size: 50 })).items;
      body.replaceChildren(alerts.length
        ? h("ul", { id: "rights-alerts-list" }, alerts.map(alertItem))
        : h("p", { class: "muted", id: "rights-alerts-none" }, t("rightsNone")));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  load();
  return panel;
}
