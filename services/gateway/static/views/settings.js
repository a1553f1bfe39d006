// Cài đặt: the caller's notification channels (in-app always; e-mail when they ask
// for it and give an address, said plainly when this deployment sends no e-mail) and,
// for a leader of the unit they are working in, the unit's approval chains for
// outgoing drafts: per document type or for any type, ordered steps each approved by
// all or any of its approvers, chosen from the unit's people. Every member of the unit
// sees its default processing deadlines (working days per urgency, or working hours
// for the urgent levels the unit counts in hours); its leaders and administrators set them.
// The deployment-wide administrator sees the search index and may rebuild it, following
// the run's progress while the page is open. Leaders and administrators see the changes
// of rights in their units that wait for their confirmation, and confirm them.

import { api } from "../api.js";
import { unitMembers } from "../directory.js";
import { alertBox, fill, h, loadingBox, pageHeading } from "../dom.js";
import {
  DOCUMENT_TYPES, URGENCIES, documentTypeLabel, formatDateTime, lang, roleLabel, t, urgencyLabel,
} from "../i18n.js";
import { currentMembership, hasRole, user } from "../state.js";
import { errorPanel, formErrors, formField } from "../widgets.js";

const LEADER_ROLES = ["head", "unit_head"];
const MAX_STEPS = 10;
const RULE_SETTERS = ["head", "unit_head", "admin"];   // who sets a unit's deadline rules
const HOURLY = ["urgent", "very_urgent", "flash"];      // urgencies a unit may count in hours
const REINDEX_POLL_MS = 1000;          // a rebuild's progress, while it is requested or running
const REINDEX_RETRY_MS = 5000;         // after the gateway or the search service did not answer
const REINDEX_ACTIVE = ["requested", "running"];

export function renderSettings(view) {
  const membership = currentMembership();
  const leads = membership && LEADER_ROLES.includes(membership.role);
  view.append(
    pageHeading(t("settingsTitle")),
    h("p", { class: "muted page-sub" }, t("settingsIntro")),
    h("div", { class: "doc-stack settings-stack" },
      preferencesPanel(),
      h("section", { class: "panel", id: "password-link-panel", "aria-labelledby": "password-link-title" },
        h("h2", { id: "password-link-title" }, t("passwordLink")),
        h("p", { class: "muted" }, t("passwordLinkHint")),
        h("a", { href: "#/password", class: "btn btn-secondary", id: "password-link" }, t("passwordLink"), " ›")),
      h("section", { class: "panel", id: "delegations-link-panel", "aria-labelledby": "delegations-link-title" },
        h("h2", { id: "delegations-link-title" }, t("delegationsTitle")),
        h("p", { class: "muted" }, t("delegationsLinkHint")),
        h("a", { href: "#/delegations", class: "btn btn-secondary", id: "delegations-link" }, t("delegationsLink"), " ›")),
      membership ? rulesPanel(membership) : null,
      leads ? chainsPanel(membership) : null,
      [...LEADER_ROLES, "admin"].some((role) => hasRole(role)) || user()?.system_admin
        ? rightsAlertsPanel() : null,
      user()?.system_admin ? searchIndexPanel() : null));
  return { title: t("settingsTitle") };
}

// ------------------------------------------------------------------ changes of rights

function rightsAlertsPanel() {
  const body = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel", id: "rights-alerts", "aria-labelledby": "rights-alerts-title" },
    h("h2", { id: "rights-alerts-title" }, t("rightsTitle")),
    h("p", { class: "muted" }, t("rightsIntro")), body);

  async function load() {
    try {
      draw((await api.listRightsAlerts({ state: "open", page_size: 50 })).items);
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(alerts) {
    if (!alerts.length) {
      body.replaceChildren(h("p", { class: "muted", id: "rights-alerts-none" }, t("rightsNone")));
      return;
    }
    body.replaceChildren(h("ul", { id: "rights-alerts-list" }, alerts.map((alert) => {
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
    })));
  }

  load();
  return panel;
}

// ------------------------------------------------------------------ notifications

function preferencesPanel() {
  const body = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel", id: "preferences", "aria-labelledby": "preferences-title" },
    h("h2", { id: "preferences-title" }, t("prefsTitle")), body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      draw(await api.preferences());
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  function draw(prefs, savedNow = false) {
    const labels = {};
    const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
    const status = h("div", { id: "pref-status", tabindex: "-1" });
    const enabled = h("input", { type: "checkbox", id: "pref-email-enabled", name: "email_enabled", checked: Boolean(prefs.email_enabled) });
    const email = h("input", {
      type: "email", name: "email", maxlength: "254", autocomplete: "email", spellcheck: "false",
      value: prefs.email || "", placeholder: "ten@co-quan.gov.vn",
    });
    const save = h("button", { type: "submit", class: "btn btn-primary", id: "pref-save" }, t("savePrefs"));
    const form = h("form", { class: "prefs-form", id: "pref-form", novalidate: true },
      summary,
      h("p", { class: "pref-inapp" }, "✓ ", t("prefsInApp")),
      prefs.email_available ? null : alertBox("info", h("p", { id: "pref-email-unavailable" }, t("prefsEmailUnavailable"))),
      h("div", { class: "field checkbox-field", id: "pref-email-enabled-field" },
        h("p", { class: "field-error", id: "pref-email-enabled-error", hidden: true }),
        h("label", { class: "checkbox" }, enabled, " ", t("prefsEmailEnabled"))),
      h("div", { class: "form-grid" },
        formField(labels, "pref-email", t("prefsEmail"), email, { hint: t("prefsEmailHint") })),
      prefs.updated_at ? h("p", { class: "hint" }, t("prefsUpdatedAt", formatDateTime(prefs.updated_at))) : null,
      h("div", { class: "form-actions" }, save),
      status);
    labels["pref-email-enabled"] = t("prefsEmailEnabled");
    const errors = formErrors(form, summary, {
      labels, heading: t("prefsErrorSummary"),
      controlFor: (key) => ({ email: "pref-email", email_enabled: "pref-email-enabled" })[key] || null,
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.clear();
      status.replaceChildren();
      save.disabled = true;
      try {
        const saved = await api.setPreferences({
          email_enabled: enabled.checked, email: email.value.trim() || null,
        });
        draw(saved, true);
      } catch (error) {
        save.disabled = false;
        errors.show(error.message, error.details);
      }
    });
    body.replaceChildren(form);
    if (savedNow) {
      status.replaceChildren(alertBox("success", h("p", { id: "pref-saved" },
        prefs.email_enabled ? t("prefsSavedEmail", prefs.email) : t("prefsSaved"))));
      status.focus();
    }
  }

  load();
  return panel;
}

// ------------------------------------------------------------------ approval chains

function chainsPanel(membership) {
  const unitId = membership.unit_id;
  const body = h("div", {}, loadingBox());
  const message = h("div", { id: "chain-message", class: "doc-message", tabindex: "-1" });
  const panel = h("section", { class: "panel", id: "approval-chains", "aria-labelledby": "approval-chains-title" },
    h("h2", { id: "approval-chains-title" }, t("chainsTitle")),
    h("p", { class: "muted" }, t("chainsIntro", membership.unit_name || "")),
    message,
    body);
  let chains = [];
  let people = [];

  function say(kind, ...children) {
    message.replaceChildren(alertBox(kind, ...children));
    message.focus();
  }

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      const [result, members] = await Promise.all([api.approvalChains(unitId), unitMembers(unitId)]);
      chains = result.items || [];
      people = members.filter((p) => (p.memberships || []).some((m) => m.unit_id === unitId && m.role !== "admin"));
      draw();
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  const typeName = (key) => (key ? `${documentTypeLabel(key)} (${key})` : t("anyType"));
  const personLabel = (id) => {
    const p = people.find((x) => x.id === id);
    return p ? p.full_name : t("unknownPerson");
  };

  function draw(editing = null) {
    const list = chains.length
      ? h("ul", { class: "chain-list", id: "chain-list" }, chains.map((chain) => h("li", {
        class: "chain-card", dataset: { type: chain.document_type || "" },
      },
        h("div", { class: "chain-card-main" },
          h("h3", { class: "subhead" }, typeName(chain.document_type)),
          h("ol", { class: "chain-summary" }, chain.steps.map((step) => h("li", {},
            step.approvers.map(personLabel).join(", "),
            h("span", { class: "muted" }, ` · ${t(`mode_${step.mode || "all"}`)}`))))),
        h("div", { class: "chain-card-actions" },
          h("button", {
            type: "button", class: "btn btn-secondary btn-small", "aria-label": t("editChainLabel", typeName(chain.document_type)),
            onclick: () => draw(chain.document_type || ""),
          }, t("edit")),
          h("button", {
            type: "button", class: "btn btn-link btn-small", "aria-label": t("removeChainLabel", typeName(chain.document_type)),
            onclick: () => removeChain(chain),
          }, t("removeChain"))))))
      : h("p", { class: "muted", id: "chain-list-empty" }, t("noChains"));
    body.replaceChildren(list, editor(editing));
  }

  async function removeChain(chain) {
    try {
      await api.setApprovalChain({ unit_id: unitId, document_type: chain.document_type || "", steps: [] });
      chains = chains.filter((c) => c !== chain);
      draw();
      say("success", h("p", { id: "chain-saved" }, t("chainRemoved", typeName(chain.document_type))));
    } catch (error) {
      say("error", h("p", {}, error.message));
    }
  }

  /** The editor of one chain: its type, then its steps in order. */
  function editor(editing) {
    const labels = {};
    const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
    const type = h("select", { name: "document_type" },
      h("option", { value: "" }, t("anyType")),
      DOCUMENT_TYPES.map(([key]) => h("option", { value: key }, `${documentTypeLabel(key)} (${key})`)));
    const stepsBox = h("div", { class: "chain-steps-editor", id: "chain-steps-editor" });
    let steps = [];

    const load = (key) => {
      const existing = chains.find((c) => (c.document_type || "") === key);
      steps = existing
        ? existing.steps.map((s) => ({ approvers: new Set(s.approvers), mode: s.mode || "all" }))
        : [{ approvers: new Set(), mode: "all" }];
      existingNote.textContent = existing ? t("chainExists") : t("chainNew");
      drawSteps();
    };
    const existingNote = h("p", { class: "hint", id: "chain-type-note", "aria-live": "polite" });

    function drawSteps() {
      stepsBox.replaceChildren(...steps.map((step, index) => {
        const id = `chain-step-${index}`;
        labels[id] = t("chainStep", index + 1);
        const move = (delta) => {
          const [moved] = steps.splice(index, 1);
          steps.splice(index + delta, 0, moved);
          drawSteps();
          stepsBox.querySelector(`#chain-step-${index + delta}`)?.focus();
        };
        return h("fieldset", { class: "section chain-step-editor", id, tabindex: "-1" },
          h("legend", {}, t("chainStep", index + 1)),
          h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
          h("fieldset", { class: "radio-group approver-group" },
            h("legend", {}, t("approvers")),
            people.length
              ? h("div", { class: "checkbox-list" }, people.map((p) => {
                const role = (p.memberships || []).find((m) => m.unit_id === unitId);
                return h("label", { class: "checkbox" },
                  h("input", {
                    type: "checkbox", id: `${id}-approver-${p.id}`, value: p.id, checked: step.approvers.has(p.id),
                    onchange: (event) => {
                      if (event.target.checked) step.approvers.add(p.id);
                      else step.approvers.delete(p.id);
                    },
                  }),
                  h("span", {}, p.full_name,
                    h("span", { class: "muted" }, ` (${[...new Set([p.position, role ? roleLabel(role.role) : null])]
                      .filter(Boolean).join(", ")})`)));
              }))
              : h("p", { class: "muted" }, t("noPeople"))),
          h("fieldset", { class: "radio-group" },
            h("legend", {}, t("chainMode")),
            h("div", { class: "radio-row" }, ["all", "any"].map((mode) => h("label", { class: "radio" },
              h("input", {
                type: "radio", name: `${id}-mode`, id: `${id}-mode-${mode}`, value: mode, checked: step.mode === mode,
                onchange: () => { step.mode = mode; },
              }), " ", t(`mode_${mode}`))))),
          h("div", { class: "step-tools" },
            index > 0 ? h("button", { type: "button", class: "btn btn-link btn-small", onclick: () => move(-1), "aria-label": t("moveStepUp", index + 1) }, "↑ ", t("moveUp")) : null,
            index < steps.length - 1 ? h("button", { type: "button", class: "btn btn-link btn-small", onclick: () => move(1), "aria-label": t("moveStepDown", index + 1) }, "↓ ", t("moveDown")) : null,
            steps.length > 1 ? h("button", {
              type: "button", class: "btn btn-link btn-small", "aria-label": t("removeStepLabel", index + 1),
              onclick: () => { steps.splice(index, 1); drawSteps(); addStep.focus(); },
            }, t("removeStep")) : null));
      }));
      addStep.disabled = steps.length >= MAX_STEPS;
    }

    const addStep = h("button", {
      type: "button", class: "btn btn-secondary", id: "chain-add-step",
      onclick: () => {
        steps.push({ approvers: new Set(), mode: "all" });
        drawSteps();
        stepsBox.querySelector(`#chain-step-${steps.length - 1}`)?.focus();
      },
    }, "+ ", t("addStep"));
    const save = h("button", { type: "submit", class: "btn btn-primary", id: "chain-save" }, t("saveChain"));
    const form = h("form", { class: "chain-editor", id: "chain-form", novalidate: true, "aria-labelledby": "chain-editor-title" },
      h("h3", { id: "chain-editor-title" }, t("chainEditorTitle")),
      summary,
      h("div", { class: "form-grid" },
        formField(labels, "chain-type", t("documentType"), type, { hint: t("chainTypeHint") })),
      existingNote,
      stepsBox,
      h("div", { class: "form-actions" }, addStep, save));
    const errors = formErrors(form, summary, {
      labels, heading: t("chainErrorSummary"),
      controlFor: (key) => {
        const found = /^steps\[(\d+)\]/.exec(key);
        if (found) return `chain-step-${found[1]}`;
        if (key === "steps") return "chain-step-0";
        return { document_type: "chain-type" }[key] || null;
      },
    });
    type.addEventListener("change", () => { errors.clear(); load(type.value); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.clear();
      const problems = {};
      steps.forEach((step, index) => {
        if (!step.approvers.size) problems[`steps[${index}].approvers`] = t("chooseApprover");
      });
      if (Object.keys(problems).length) {
        errors.show(null, problems);
        return;
      }
      save.disabled = true;
      try {
        const saved = await api.setApprovalChain({
          unit_id: unitId, document_type: type.value,
          steps: steps.map((s) => ({ approvers: [...s.approvers], mode: s.mode })),
        });
        chains = [...chains.filter((c) => (c.document_type || "") !== (saved.document_type || "")), saved]
          .sort((a, b) => (a.document_type || "").localeCompare(b.document_type || ""));
        draw();
        say("success", h("p", { id: "chain-saved" }, t("chainSaved", typeName(saved.document_type))));
      } catch (error) {
        save.disabled = false;
        errors.show(error.message, error.details);
      }
    });
    type.value = editing ?? "";
    load(type.value);
    return form;
  }

  load();
  return panel;
}

// ------------------------------------------------------------------ deadline rules

/** "4", "0,5" (a decimal comma), "" → 4, 0.5, null; anything else is sent as typed (the API says why). */
function numberOrText(value) {
  const text = value.trim().replace(",", ".");
  if (!text) return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : value.trim();
}

function rulesPanel(membership) {
  const unitId = membership.unit_id;
  const editable = RULE_SETTERS.includes(membership.role);
  const body = h("div", {}, loadingBox());
  const panel = h("section", { class: "panel", id: "unit-rules", "aria-labelledby": "unit-rules-title" },
    h("h2", { id: "unit-rules-title" }, t("rulesTitle")),
    h("p", { class: "muted" }, t("rulesIntro", membership.unit_name || "")),
    body);

  async function load() {
    body.replaceChildren(loadingBox());
    try {
      draw(await api.unitRules(unitId));
    } catch (error) {
      body.replaceChildren(errorPanel(error, load));
    }
  }

  const hoursText = (value) => t("rulesHoursValue", String(value).replace(".", ","));

  function readOnly(rules) {
    return h("dl", { class: "detail-list rules-list", id: "rules-list" }, URGENCIES.map((u) => [
      h("dt", {}, urgencyLabel(u)),
      h("dd", { id: `rules-value-${u}` }, rules.hours?.[u] != null
        ? hoursText(rules.hours[u])
        : t("rulesDaysValue", rules.working_days?.[u] ?? rules.defaults?.working_days?.[u]))]));
  }

  function draw(rules, savedNow = false) {
    if (!editable) {
      body.replaceChildren(readOnly(rules), h("p", { class: "hint", id: "rules-readonly" }, t("rulesReadOnly")));
      return;
    }
    const labels = {};
    const summary = h("div", { class: "error-summary", tabindex: "-1", hidden: true, role: "alert" });
    const status = h("div", { id: "rules-status", tabindex: "-1" });
    const days = {};
    const hours = {};
    const rows = URGENCIES.map((u) => {
      const defaults = rules.defaults?.working_days?.[u];
      days[u] = h("input", {
        type: "text", inputmode: "numeric", name: `working_days.${u}`, maxlength: "3", autocomplete: "off",
        class: "input-short", value: String(rules.working_days?.[u] ?? defaults ?? ""),
      });
      if (HOURLY.includes(u)) {
        hours[u] = h("input", {
          type: "text", inputmode: "decimal", name: `hours.${u}`, maxlength: "5", autocomplete: "off",
          class: "input-short", value: rules.hours?.[u] != null ? String(rules.hours[u]).replace(".", ",") : "",
        });
      }
      return h("fieldset", { class: "section rules-row", dataset: { urgency: u } },
        h("legend", {}, urgencyLabel(u)),
        h("div", { class: "rules-fields" },
          formField(labels, `rules-days-${u}`, t("rulesDays"), days[u],
            { hint: defaults != null ? t("rulesDaysHint", defaults) : null }),
          hours[u] ? formField(labels, `rules-hours-${u}`, t("rulesHours"), hours[u], { hint: t("rulesHoursHint") }) : null));
    });
    for (const u of URGENCIES) {
      labels[`rules-days-${u}`] = `${urgencyLabel(u)} — ${t("rulesDays")}`;
      if (hours[u]) labels[`rules-hours-${u}`] = `${urgencyLabel(u)} — ${t("rulesHours")}`;
    }
    const save = h("button", { type: "submit", class: "btn btn-primary", id: "rules-save" }, t("rulesSave"));
    const form = h("form", { class: "rules-form", id: "rules-form", novalidate: true, "aria-labelledby": "unit-rules-title" },
      summary,
      h("div", { class: "rules-grid" }, rows),
      h("div", { class: "form-actions" }, save),
      status);
    const errors = formErrors(form, summary, {
      labels, heading: t("rulesErrorSummary"),
      controlFor: (key) => {
        const found = /^(working_days|hours)\.(\w+)$/.exec(key);
        if (!found) return null;
        const id = `rules-${found[1] === "hours" ? "hours" : "days"}-${found[2]}`;
        return form.querySelector(`#${id}`) ? id : null;
      },
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.clear();
      status.replaceChildren();
      const payload = { working_days: {}, hours: {} };
      for (const u of URGENCIES) {
        const d = numberOrText(days[u].value);
        if (d !== null) payload.working_days[u] = d;
        const hr = hours[u] ? numberOrText(hours[u].value) : null;
        if (hr !== null) payload.hours[u] = hr;
      }
      save.disabled = true;
      try {
        draw(await api.setUnitRules(unitId, payload), true);
      } catch (error) {
        save.disabled = false;
        errors.show(error.message, error.details);
      }
    });
    body.replaceChildren(form);
    if (savedNow) {
      const counted = HOURLY.filter((u) => rules.hours?.[u] != null)
        .map((u) => `${urgencyLabel(u)}: ${hoursText(rules.hours[u])}`);
      status.replaceChildren(alertBox("success", h("p", { id: "rules-saved" },
        counted.length ? t("rulesSavedHours", counted.join("; ")) : t("rulesSaved"))));
      status.focus();
    }
  }

  load();
  return panel;
}

// ------------------------------------------------------------------ search index

/**
 * The search index (administrators): how many documents the live index holds and the
 * latest rebuild, with a button to start one. While a run is requested or running its
 * progress is read every second, until it ends or the page is left (the panel is no
 * longer in the document). The status line, progress bar and button stay the same
 * elements between reads, so focus and what a screen reader follows are kept.
 */
function searchIndexPanel() {
  const count = h("dd", { id: "index-documents" }, t("none"));
  const message = h("div", { id: "reindex-message", class: "doc-message", tabindex: "-1" });   // a refusal
  const trouble = h("div", { id: "reindex-trouble" });   // the status could not be read
  const status = h("p", { id: "reindex-status", class: "reindex-status", role: "status" });
  const progress = h("progress", { id: "reindex-progress", max: "100", "aria-label": t("indexProgress"), hidden: true });
  const runBox = h("div", { class: "reindex-run", id: "reindex-run" });
  const start = h("button", { type: "button", class: "btn btn-primary", id: "reindex-start", disabled: true }, t("indexRebuild"));
  const panel = h("section", { class: "panel", id: "search-index", "aria-labelledby": "search-index-title" },
    h("h2", { id: "search-index-title" }, t("indexTitle")),
    h("p", { class: "muted", id: "search-index-intro" }, t("indexIntro")),
    message,
    trouble,
    h("dl", { class: "detail-list" }, h("dt", {}, t("indexDocuments")), count),
    h("h3", { class: "subhead" }, t("indexLatestRun")),
    status,
    progress,
    runBox,
    h("div", { class: "form-actions" }, start));
  const number = new Intl.NumberFormat(lang() === "en" ? "en-GB" : "vi-VN");
  let timer = null;

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => { if (panel.isConnected) read(); }, ms);
  }

  async function read() {
    try {
      const state = await api.reindexStatus();
      if (!panel.isConnected) return;
      trouble.replaceChildren();
      draw(state);
      if (REINDEX_ACTIVE.includes(state.run?.state)) schedule(REINDEX_POLL_MS);
    } catch (error) {
      if (!panel.isConnected) return;
      trouble.replaceChildren(errorPanel(error, () => { trouble.replaceChildren(); read(); }));
      // the service may be restarting: keep following a run, more slowly
      if (error.status === 0 || error.status >= 500) schedule(REINDEX_RETRY_MS);
    }
  }

  function draw({ run, index_documents: documents }) {
    count.textContent = documents == null ? t("none") : number.format(documents);
    const active = REINDEX_ACTIVE.includes(run?.state);
    start.disabled = active;
    if (!run) {
      status.textContent = t("indexNeverRebuilt");
      progress.hidden = true;
      runBox.replaceChildren();
      return;
    }
    runBox.dataset.run = run.id;
    const phase = run.phase ? t(`indexPhase_${run.phase}`) : "";
    if (run.state === "done") {
      const indexed = run.documents ?? documents ?? 0;
      status.textContent = t("indexStatusDone", number.format(indexed), indexed);
    } else if (run.state === "failed") {
      status.textContent = t("indexStatusFailed");
    } else if (run.state === "running" && run.phase) {
      status.textContent = t("indexStatusRunning", phase, run.percent ?? 0, number.format(run.done ?? 0), number.format(run.total ?? 0));
    } else status.textContent = t("indexStatusRequested");
    progress.hidden = run.state === "failed";
    if (run.percent == null) progress.removeAttribute("value");   // not started: indeterminate
    else progress.value = run.percent;
    const row = (label, value, id) => (value ? [h("dt", {}, label), h("dd", { id }, value)] : null);
    fill(runBox,
      h("dl", { class: "detail-list", id: "reindex-details" },
        row(t("indexRunState"), t(`indexState_${run.state}`), "reindex-state"),
        row(t("indexRequestedAt"), run.requested_at && formatDateTime(run.requested_at), "reindex-requested-at"),
        row(t("indexStartedAt"), run.started_at && formatDateTime(run.started_at), "reindex-started-at"),
        row(t("indexFinishedAt"), run.finished_at && formatDateTime(run.finished_at), "reindex-finished-at")),
      run.state === "failed" && run.error
        ? alertBox("error", h("p", { id: "reindex-error" }, `${t("indexError")}: ${run.error}`)) : null);
  }

  start.addEventListener("click", async () => {
    start.disabled = true;
    message.replaceChildren();
    try {
      await api.startReindex();
      if (panel.isConnected) read();
    } catch (error) {
      if (!panel.isConnected) return;
      message.replaceChildren(alertBox("error", h("p", { id: "reindex-refused" }, error.message)));
      message.focus();
      read();   // a 409: show the run that is going on (and keep the button off meanwhile)
    }
  });

  read();
  return panel;
}
