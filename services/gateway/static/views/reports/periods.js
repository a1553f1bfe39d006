// @ts-check
// Named periods of Vietnam's calendar (this month, last month, this quarter, this
// year) as [from, to] days, to never after today.

import { todayIso, vietnamFields } from "../../dates.js";

export const PERIODS = ["month", "last_month", "quarter", "year"];

/** A calendar date (UTC fields only, so no zone moves it) as YYYY-MM-DD. @param {Date} date */
function iso(date) {
  /** @param {number} n */
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** [from, to] of a named period. @param {string} period @returns {[string, string]} */
export function periodDates(period) {
  const today = todayIso();
  const { year: y, month } = vietnamFields(Date.now());
  const m = month - 1;
  /** @param {number} yy @param {number} mm @param {number} dd */
  const day = (yy, mm, dd) => new Date(Date.UTC(yy, mm, dd));
  if (period === "last_month") return [iso(day(y, m - 1, 1)), iso(day(y, m, 0))];
  if (period === "quarter") return [iso(day(y, m - (m % 3), 1)), today];
  if (period === "year") return [iso(day(y, 0, 1)), today];
  return [iso(day(y, m, 1)), today];
}
