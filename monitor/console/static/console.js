// newsmonitor console: keep a page current, and carry the write token. No build step.
"use strict";

const TOKEN_KEY = "newsmonitor-console-token";
const REFRESH_MS = 5000;

function token() {
  const field = document.getElementById("token");
  return (field && field.value) || localStorage.getItem(TOKEN_KEY) || "";
}

// Headers for a write: the token entered once in the page, kept in this browser.
function writeHeaders(extra) {
  const headers = Object.assign({}, extra || {});
  const t = token();
  if (t) headers["Authorization"] = "Bearer " + t;
  return headers;
}

function setupToken() {
  const field = document.getElementById("token");
  if (!field) return;
  field.value = localStorage.getItem(TOKEN_KEY) || "";
  field.form.addEventListener("submit", (ev) => ev.preventDefault());
  field.addEventListener("change", () => {
    if (field.value) localStorage.setItem(TOKEN_KEY, field.value);
    else localStorage.removeItem(TOKEN_KEY);
  });
}

// The page polls its JSON twin; when the data changed, it fetches itself and swaps <main>.
function setupRefresh() {
  const main = document.querySelector("main[data-twin]");
  if (!main) return;
  let last = null;
  async function tick() {
    if (document.hidden) return;
    try {
      const resp = await fetch(main.dataset.twin, { cache: "no-store" });
      if (!resp.ok) return;
      const data = await resp.json();
      delete data.at;
      const now = JSON.stringify(data);
      if (last !== null && now !== last) {
        const page = await fetch(location.href, { cache: "no-store" });
        const doc = new DOMParser().parseFromString(await page.text(), "text/html");
        const fresh = doc.querySelector("main");
        if (fresh) {
          main.innerHTML = fresh.innerHTML;
          wire(main);
        }
      }
      last = now;
    } catch (err) {
      // the daemon is restarting or the network is down: try again at the next tick
    }
  }
  tick();
  setInterval(tick, REFRESH_MS);
}

async function retry(body, url) {
  const out = document.getElementById("retry-result");
  const resp = await fetch(url, {
    method: "POST",
    headers: writeHeaders({ "Content-Type": "application/json" }),
    body: JSON.stringify(body),
  });
  const data = await resp.json();
  if (out) {
    out.textContent = resp.ok
      ? "re-enqueued: " + data.retried.join(", ")
      : "not retried: " + (data.error || resp.status);
    out.className = "result " + (resp.ok ? "ok" : "bad");
  }
}

function wire(root) {
  root.querySelectorAll("select[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
  root.querySelectorAll("button[data-retry]").forEach((el) => {
    el.addEventListener("click", () =>
      retry({}, "/api/deliveries/" + encodeURIComponent(el.dataset.retry) + "/retry"));
  });
  root.querySelectorAll("button[data-retry-all]").forEach((el) => {
    el.addEventListener("click", () => retry({ all: true }, "/api/deliveries/retry"));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupToken();
  wire(document);
  setupRefresh();
});
