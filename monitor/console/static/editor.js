// The rule editor: line numbers, problems as you type (POST /api/rules/check), a test on
// recent articles (POST /api/rules/test) and saving (PUT /api/rules/<name>).
"use strict";

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function setupEditor() {
  const form = document.getElementById("editor");
  if (!form) return;
  const yaml = document.getElementById("yaml");
  const gutter = document.getElementById("gutter");
  const problems = document.getElementById("problems");
  const results = document.getElementById("results");
  const saveResult = document.getElementById("save-result");
  const nameField = document.getElementById("rule-name");
  let etag = null;
  let nameTouched = false;
  let badLines = new Map();
  let timer = null;

  const ruleName = () => (form.dataset.name || (nameField && nameField.value) || "").trim();

  function drawGutter() {
    const lines = yaml.value.split("\n").length;
    gutter.textContent = "";
    for (let i = 1; i <= lines; i++) {
      const span = el("span", badLines.has(i) ? "bad" : "", String(i));
      if (badLines.has(i)) span.title = badLines.get(i);
      gutter.appendChild(span);
      gutter.appendChild(document.createTextNode("\n"));
    }
    gutter.scrollTop = yaml.scrollTop;
  }

  function showProblems(errors) {
    badLines = new Map();
    problems.textContent = "";
    if (!errors.length) {
      problems.appendChild(el("p", "ok", "No problems."));
    } else {
      const list = el("ul");
      for (const e of errors) {
        if (e.line) badLines.set(e.line, e.message);
        const where = e.line ? "line " + e.line + (e.column ? ", column " + e.column : "") : "rule";
        const item = el("li", "problem");
        item.dataset.line = e.line || "";
        item.appendChild(el("b", "", where + ": "));
        item.appendChild(document.createTextNode(e.message));
        list.appendChild(item);
      }
      problems.appendChild(list);
    }
    drawGutter();
  }

  let asked = 0;  // answers can overtake each other: only the latest question's counts

  async function check() {
    const mine = ++asked;
    const name = ruleName();
    const query = name && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) ? "?name=" + encodeURIComponent(name) : "";
    const resp = await fetch("/api/rules/check" + query, { method: "POST", body: yaml.value });
    const data = await resp.json();
    if (mine !== asked) return;
    showProblems(data.errors || [{ message: data.error || "check failed (" + resp.status + ")" }]);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  }

  function explainItem(hit) {
    const item = el("li", "hit");
    const link = el("a", "", hit.title || hit.url);
    if (/^https?:\/\//.test(hit.url || "")) link.href = hit.url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    item.appendChild(link);
    item.appendChild(el("span", "muted", " " + (hit.source || "") + (hit.published ? " · " + hit.published : "")));
    const why = el("ul", "explain");
    for (const line of hit.explain) why.appendChild(el("li", "", line));
    for (const e of hit.events) why.appendChild(el("li", "event", e.type + (e.count != null ? " " + e.count : "") + ": " + e.evidence));
    for (const m of hit.matched) why.appendChild(el("li", "event", "text: " + m));
    item.appendChild(why);
    return item;
  }

  async function test() {
    results.textContent = "testing...";
    const since = encodeURIComponent(document.getElementById("since").value || "3d");
    const resp = await fetch("/api/rules/test?since=" + since, { method: "POST", body: yaml.value });
    const data = await resp.json();
    results.textContent = "";
    if (!resp.ok) {
      if (data.errors) showProblems(data.errors);
      results.appendChild(el("p", "bad", data.error || "fix the problems above first"));
      return;
    }
    const head = "Fires on " + data.fired.length + " of the " + data.articles + " stored articles of the last "
      + document.getElementById("since").value + ".";
    results.appendChild(el("h2", "", head));
    const list = el("ol", "hits");
    for (const hit of data.fired) list.appendChild(explainItem(hit));
    results.appendChild(list);
  }

  async function loadEtag() {
    if (form.dataset.new === "true") return;
    const resp = await fetch("/api/rules/" + encodeURIComponent(ruleName()));
    if (resp.ok) etag = (await resp.json()).etag;
  }

  async function save() {
    const name = ruleName();
    if (!name) {
      saveResult.textContent = "give the rule a file name first";
      saveResult.className = "result bad";
      return;
    }
    const headers = writeHeaders({ "Content-Type": "application/yaml" });
    if (form.dataset.new === "true") headers["If-None-Match"] = "*";
    else if (etag) headers["If-Match"] = etag;
    const resp = await fetch("/api/rules/" + encodeURIComponent(name), { method: "PUT", headers, body: yaml.value });
    const data = await resp.json();
    if (resp.ok) {
      etag = data.etag;
      let text = "saved " + data.file + "; the daemon runs it within a second";
      if (data.folder_problems && data.folder_problems.length) {
        text = "saved " + data.file + ", but another rule file has problems, so the daemon keeps its last good rules: "
          + data.folder_problems.join("; ");
      }
      saveResult.textContent = text;
      saveResult.className = "result " + (data.folder_problems && data.folder_problems.length ? "bad" : "ok");
      if (form.dataset.new === "true") {
        form.dataset.new = "false";
        form.dataset.name = name;
        history.replaceState(null, "", "/rules/" + encodeURIComponent(name) + "/edit");
      }
      showProblems([]);
      return;
    }
    if (resp.status === 422) showProblems(data.errors || []);
    saveResult.textContent = "not saved: " + (data.error || (resp.status === 422 ? "the rule has problems (see above)" : resp.status));
    saveResult.className = "result bad";
    if (resp.status === 403) {
      const field = document.getElementById("token");
      if (field) field.focus();
    }
  }

  yaml.addEventListener("input", () => {
    drawGutter();
    if (nameField && !nameTouched) {
      const m = yaml.value.match(/^name:\s*["']?([A-Za-z0-9_.-]+)/m);
      if (m) nameField.value = m[1];
    }
    schedule();
  });
  yaml.addEventListener("scroll", () => { gutter.scrollTop = yaml.scrollTop; });
  yaml.addEventListener("keydown", (ev) => {
    if (ev.key === "Tab") {  // YAML is indented with spaces
      ev.preventDefault();
      yaml.setRangeText("  ", yaml.selectionStart, yaml.selectionEnd, "end");
      yaml.dispatchEvent(new Event("input"));
    }
  });
  if (nameField) nameField.addEventListener("input", () => { nameTouched = true; schedule(); });
  problems.addEventListener("click", (ev) => {
    const item = ev.target.closest("li.problem");
    if (!item || !item.dataset.line) return;
    const lines = yaml.value.split("\n");
    const start = lines.slice(0, Number(item.dataset.line) - 1).join("\n").length + (item.dataset.line > 1 ? 1 : 0);
    yaml.focus();
    yaml.setSelectionRange(start, start + (lines[Number(item.dataset.line) - 1] || "").length);
  });
  document.getElementById("test").addEventListener("click", test);
  document.getElementById("save").addEventListener("click", save);
  form.addEventListener("submit", (ev) => ev.preventDefault());
  if (nameField) {
    const m = yaml.value.match(/^name:\s*["']?([A-Za-z0-9_.-]+)/m);
    if (m) nameField.value = m[1];
  }
  drawGutter();
  loadEtag();
  check();
}

document.addEventListener("DOMContentLoaded", setupEditor);
