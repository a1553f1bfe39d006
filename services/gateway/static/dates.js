// @ts-check
// Days and moments as Vietnam sees them: every day of the system (today, deadlines,
// report periods) is Vietnam's (Asia/Ho_Chi_Minh, UTC+7 all year, no summer time),
// whatever the browser's zone and locale. Dates show as dd/mm/yyyy, times as HH:MM;
// the API takes and gives days as YYYY-MM-DD.

import { t } from "./i18n.js";

const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** @param {number} n */
const pad = (n) => String(n).padStart(2, "0");

/**
 * A moment's calendar date and time in Vietnam, whatever the browser's zone.
 * @param {Date | number | string} moment
 * @returns {{year: number, month: number, day: number, hours: number, minutes: number}}
 */
export function vietnamFields(moment) {
  const d = new Date(new Date(moment).getTime() + VIETNAM_OFFSET_MS);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hours: d.getUTCHours(), minutes: d.getUTCMinutes(),
  };
}

/**
 * An instant from the API. A date-time without a zone (SQLite drops it) is UTC, as
 * the services store every instant in UTC.
 * @param {string | Date} value
 */
export function parseInstant(value) {
  const text = String(value);
  const naive = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  return new Date(naive ? `${text}Z` : text);
}

/**
 * A date (YYYY-MM-DD or an ISO datetime) as dd/mm/yyyy; a moment's day in Vietnam.
 * @param {string | null | undefined} value
 */
export function formatDate(value) {
  if (!value) return t("none");
  const plain = ISO_DAY.exec(value);
  if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
  const d = parseInstant(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const f = vietnamFields(d);
  return `${pad(f.day)}/${pad(f.month)}/${f.year}`;
}

/** A moment as "HH:MM dd/mm/yyyy", Vietnam's time. @param {string | null | undefined} value */
export function formatDateTime(value) {
  if (!value) return t("none");
  const d = parseInstant(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const f = vietnamFields(d);
  return `${pad(f.hours)}:${pad(f.minutes)} ${formatDate(d.toISOString())}`;
}

/** Today's date in Vietnam as YYYY-MM-DD, whatever the browser's time zone. */
export function todayIso() {
  const f = vietnamFields(Date.now());
  return `${f.year}-${pad(f.month)}-${pad(f.day)}`;
}

/** A calendar date `days` after (before, when negative) `iso`. @param {string} iso @param {number} days */
export function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/**
 * A day typed as dd/mm/yyyy (also d/m/yyyy, with "-" or "." between, or pasted as
 * YYYY-MM-DD) as YYYY-MM-DD; null when it is no real day.
 * @param {string} text
 * @returns {string | null}
 */
export function parseDay(text) {
  const value = text.trim();
  const iso = ISO_DAY.exec(value);
  const typed = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  let parts = null;
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (typed) parts = [Number(typed[3]), Number(typed[2]), Number(typed[1])];
  if (!parts) return null;
  const [y, m, d] = parts;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/**
 * A deadline as shown: "13:30 10/03/2026" (Vietnam time) when it is counted in hours
 * (`dueAt`), else the day; "—" when there is none.
 * @param {string | null | undefined} dueDate
 * @param {string | null | undefined} [dueAt]
 */
export function formatDeadline(dueDate, dueAt) {
  if (dueAt && !Number.isNaN(parseInstant(dueAt).getTime())) return formatDateTime(dueAt);
  return dueDate ? formatDate(dueDate) : t("none");
}
