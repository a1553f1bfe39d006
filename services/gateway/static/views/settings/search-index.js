// @ts-check
// The search index (administrators): how many documents the live index holds and the
// latest rebuild, with a button to start one. While a run is requested or running its
// progress is read every second, until it ends or the page is left (the panel is no
// longer in the document). The status line, progress bar and button stay the same
// elements between reads, so focus and what a screen reader follows are kept.

import { api } from "../../api.js";
import { formatDateTime } from "../../dates.js";
import { alertBox, fill, h } from "../../dom.js";
import { lang, t } from "../../i18n.js";
import { errorPanel } from "../../widgets.js";

const REINDEX_POLL_MS = 1000;          // a rebuild's progress, while it is requested or running
const REINDEX_RETRY_MS = 5000;         // after the gateway or the search service did not answer
const REINDEX_ACTIVE = ["requested", "running"];

/** The panel's elements that stay between reads. */
function parts() {
  return {
    count: h("dd", { id: "index-documents" }, t("none")),
    message: h("div", { id: "reindex-message", class: "doc-message", tabindex: "-1" }),   // a refusal
    trouble: h("div", { id: "reindex-trouble" }),   // the status could not be read
    status: h("p", { id: "reindex-status", class: "reindex-status", role: "status" }),
    progress: h("progress", { id: "reindex-progress", max: "100", "aria-label": t("indexProgress"), hidden: true }),
    runBox: h("div", { class: "reindex-run", id: "reindex-run" }),
    start: h("button", { type: "button", class: "btn btn-primary", id: "reindex-start", disabled: true }, t("indexRebuild")),
  };
}

/** The status line of a run. @param {any} run @param {number | null} documents @param {Intl.NumberFormat} number */
function runStatus(run, documents, number) {
  if (run.state === "done") {
    const indexed = run.documents ?? documents ?? 0;
    return t("indexStatusDone", number.format(indexed), indexed);
  }
  if (run.state === "failed") return t("indexStatusFailed");
  if (run.state === "running" && run.phase) {
    return t("indexStatusRunning", t(`indexPhase_${run.phase}`), run.percent ?? 0, number.format(run.done ?? 0), number.format(run.total ?? 0));
  }
  return t("indexStatusRequested");
}

/** The run's particulars and its error. @param {any} run */
function runDetails(run) {
  /** @param {string} label @param {string | null | undefined} value @param {string} id */
  const row = (label, value, id) => (value ? [h("dt", {}, label), h("dd", { id }, value)] : null);
  return [
    h("dl", { class: "detail-list", id: "reindex-details" },
      row(t("indexRunState"), t(`indexState_${run.state}`), "reindex-state"),
      row(t("indexRequestedAt"), run.requested_at && formatDateTime(run.requested_at), "reindex-requested-at"),
      row(t("indexStartedAt"), run.started_at && formatDateTime(run.started_at), "reindex-started-at"),
      row(t("indexFinishedAt"), run.finished_at && formatDateTime(run.finished_at), "reindex-finished-at")),
    run.state === "failed" && run.error
      ? alertBox("error", h("p", { id: "reindex-error" }, `${t("indexError")}: ${run.error}`)) : null,
  ];
}

export function searchIndexPanel() {
  const p = parts();
  const panel = h("section", { class: "panel", id: "search-index", "aria-labelledby": "search-index-title" },
    h("h2", { id: "search-index-title" }, t("indexTitle")),
    h("p", { class: "muted", id: "search-index-intro" }, t("indexIntro")),
    p.message, p.trouble,
    h("dl", { class: "detail-list" }, h("dt", {}, t("indexDocuments")), p.count),
    h("h3", { class: "subhead" }, t("indexLatestRun")),
    p.status, p.progress, p.runBox,
    h("div", { class: "form-actions" }, p.start));
  const number = new Intl.NumberFormat(lang() === "en" ? "en-GB" : "vi-VN");
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  /** @param {number} ms */
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => { if (panel.isConnected) read(); }, ms);
  }

  /** @param {{run: any, index_documents: number | null}} state */
  function draw({ run, index_documents: documents }) {
    p.count.textContent = documents == null ? t("none") : number.format(documents);
    p.start.disabled = REINDEX_ACTIVE.includes(run?.state);
    if (!run) {
      p.status.textContent = t("indexNeverRebuilt");
      p.progress.hidden = true;
      p.runBox.replaceChildren();
      return;
    }
    p.runBox.dataset.run = run.id;
    p.status.textContent = runStatus(run, documents, number);
    p.progress.hidden = run.state === "failed";
    if (run.percent == null) p.progress.removeAttribute("value");   // not started: indeterminate
    else p.progress.value = run.percent;
    fill(p.runBox, ...runDetails(run));
  }

  async function read() {
    try {
      const state = await api.reindexStatus();
      if (!panel.isConnected) return;
      p.trouble.replaceChildren();
      draw(state);
      if (REINDEX_ACTIVE.includes(state.run?.state)) schedule(REINDEX_POLL_MS);
    } catch (error) {
      if (!panel.isConnected) return;
      p.trouble.replaceChildren(errorPanel(error, () => { p.trouble.replaceChildren(); read(); }));
      // the service may be restarting: keep following a run, more slowly
      if (error.status === 0 || error.status >= 500) schedule(REINDEX_RETRY_MS);
    }
  }

  p.start.addEventListener("click", async () => {
    p.start.disabled = true;
    p.message.replaceChildren();
    try {
      await api.startReindex();
      if (panel.isConnected) read();
    } catch (error) {
      if (!panel.isConnected) return;
      p.message.replaceChildren(alertBox("error", h("p", { id: "reindex-refused" }, error.message)));
      p.message.focus();
      read();   // a 409: show the run that is going on (and keep the button off meanwhile)
    }
  });

  read();
  return panel;
}
