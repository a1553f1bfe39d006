// @ts-check
// Searching as the user types: the input, its button and status line, and answers
// that arrive out of order.

import { t } from "../i18n.js";

/** A letter-case and diacritics blind comparison key ("Đặng" matches "dang"). @param {string | null | undefined} text */
export function fold(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
}

/**
 * @template T
 * @typedef {object} LiveSearchOptions
 * @property {HTMLInputElement} input
 * @property {HTMLButtonElement} [button]
 * @property {HTMLElement} status
 * @property {number} [delayMs]
 * @property {string} [emptyMessage]
 * @property {(q: string) => Promise<{items: T[], message: string}>} find
 * @property {(items: T[]) => void} show
 */

/**
 * Search as the user types (after delayMs), on Enter and on the button: find(q) answers
 * {items, message}; show(items) draws them and status says the message. An older,
 * slower answer never overwrites a newer one. Returns the function that searches now.
 * @template T
 * @param {LiveSearchOptions<T>} options
 */
export function liveSearch({ input, button, status, delayMs = 300, emptyMessage = "", find, show }) {
  let seq = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  async function run() {
    clearTimeout(timer);
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      show([]);
      status.textContent = emptyMessage;
      return;
    }
    status.textContent = t("searchingUnits");
    try {
      const { items, message } = await find(q);
      if (mine !== seq) return;
      show(items);
      status.textContent = message;
    } catch (error) {
      if (mine !== seq) return;
      show([]);
      status.textContent = error.message;
    }
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      run();
    }
  });
  button?.addEventListener("click", run);
  return run;
}
