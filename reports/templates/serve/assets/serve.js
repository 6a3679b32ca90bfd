// snc serve: saves each form as the user types, shows the live verdict, readiness and score, and keeps unsaved
// input in localStorage until the server acknowledges it. No framework, no network but this server.
(function () {
  "use strict";
  var body = document.body;
  var file = body.getAttribute("data-file") || "";
  var queue = [];
  var busy = false;
  var timers = new Map();

  function msg(name) { return body.getAttribute("data-msg-" + name) || ""; }
  function storeKey(form) { return "snc:" + file + ":" + form.id; }
  function status(text) {
    var el = document.querySelector("[data-save-status]");
    if (el) { el.textContent = text; }
  }
  function banner(text) {
    var el = document.querySelector("[data-banner]");
    if (!el) { window.alert(text); return; }
    el.querySelector("[data-banner-text]").textContent = text;
    el.hidden = false;
  }

  function fields(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { out.push([el.name, el.value]); }
      } else if (el.type === "file") {
        return;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          if (o.selected) { out.push([el.name, o.value]); }
        });
      } else {
        out.push([el.name, el.value]);
      }
    });
    return out;
  }

  // Puts stored fields back into a form, input by input in page order (rows added as needed).
  function restore(form, stored) {
    var byName = new Map();
    stored.forEach(function (pair) {
      if (!byName.has(pair[0])) { byName.set(pair[0], []); }
      byName.get(pair[0]).push(pair[1]);
    });
    var rowsNeeded = byName.has("evidence.title") ? byName.get("evidence.title").length : 0;
    var tbody = form.querySelector("[data-rows]");
    if (tbody && form.hasAttribute("data-requirement")) {
      while (tbody.querySelectorAll("tr").length < rowsNeeded) { addRow(form.querySelector("[data-add-row]"), true); }
    }
    var seen = new Map();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !byName.has(el.name) || el.type === "file") { return; }
      var values = byName.get(el.name);
      if (el.type === "checkbox") {
        el.checked = values.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      } else if (el.type !== "hidden") {
        var i = seen.get(el.name) || 0;
        if (i < values.length) { el.value = values[i]; }
        seen.set(el.name, i + 1);
      }
    });
  }

  function schedule(form, delay) {
    try {
      localStorage.setItem(storeKey(form), JSON.stringify({ fields: fields(form), at: Date.now() }));
    } catch (e) { /* storage full or denied: the save below is then the only copy */ }
    status(msg("unsaved"));
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { enqueue(form); }, delay));
  }

  function enqueue(form) {
    if (queue.indexOf(form) < 0) { queue.push(form); }
    next();
  }

  function showErrors(form, errors) {
    form.querySelectorAll(".field-error").forEach(function (el) { el.classList.remove("field-error"); });
    form.querySelectorAll("[data-errors], [data-errors-for]").forEach(function (el) { el.textContent = ""; });
    (errors || []).forEach(function (e) {
      var inputs = form.querySelectorAll("[name='" + e.field.replace(/'/g, "") + "']");
      var input = inputs[e.row || 0] || inputs[0];
      var box = form.querySelector("[data-errors-for='" + e.field.replace(/'/g, "") + "']") ||
        form.querySelector("[data-errors]");
      if (input) { input.classList.add("field-error"); input.setAttribute("aria-invalid", "true"); }
      if (box) {
        var p = document.createElement("p");
        p.textContent = (e.field ? e.field + (e.row !== undefined ? " #" + (e.row + 1) : "") + ": " : "") + e.message;
        box.appendChild(p);
      }
    });
  }

  function applySaved(form, data) {
    body.setAttribute("data-version", data.version);
    var r = document.querySelector("[data-readiness]");
    if (r) { r.textContent = data.readiness_label; r.setAttribute("data-readiness", data.readiness); }
    var s = document.querySelector("[data-score]");
    if (s) { s.textContent = data.score; }
    (data.nav || []).forEach(function (c) {
      var p = document.querySelector("[data-progress='" + c.number + "']");
      if (p) { p.textContent = c.answered + "/" + c.applicable + " · " + c.score; }
    });
    if (form && data.verdict_html) {
      var v = form.querySelector("[data-verdict-for]");
      if (v) { v.innerHTML = data.verdict_html; }
    }
  }

  function next() {
    if (busy || queue.length === 0) { return; }
    var form = queue.shift();
    var sent = fields(form);
    busy = true;
    status(msg("saving"));
    fetch(form.getAttribute("data-save"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ version: body.getAttribute("data-version"), fields: sent })
    }).then(function (response) {
      return response.json().then(function (data) { return { code: response.status, data: data }; });
    }).then(function (answer) {
      busy = false;
      if (answer.code === 200) {
        applySaved(form, answer.data);
        showErrors(form, []);
        if (JSON.stringify(fields(form)) === JSON.stringify(sent)) {
          try { localStorage.removeItem(storeKey(form)); } catch (e) { /* nothing kept */ }
        }
        status(queue.length ? msg("saving") : msg("saved"));
      } else if (answer.code === 409) {
        status(msg("unsaved"));
        banner(answer.data.message);
        queue = [];
        return;
      } else {
        showErrors(form, answer.data.errors || [{ field: "", message: answer.data.message }]);
        status(msg("unsaved"));
      }
      next();
    }).catch(function () {
      busy = false;
      status(msg("offline"));
      queue = [];
    });
  }

  function addRow(button, quiet) {
    var scope = button.closest(".fact") || button.closest("form");
    var template = scope.querySelector("[data-row-template]");
    var rows = scope.querySelector("[data-rows]");
    rows.appendChild(template.content.cloneNode(true));
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select");
    if (first && !quiet) { first.focus(); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var form = target.closest("form");
    if (target.matches("[data-add-row]")) {
      addRow(target, false);
    } else if (target.matches("[data-remove-row]")) {
      target.closest("tr").remove();
      if (form) { capTable(form); schedule(form, 0); }
    } else if (target.matches("[data-reload]")) {
      window.location.reload();
    } else if (target.matches("[data-discard]")) {
      Object.keys(localStorage).forEach(function (k) {
        if (k.indexOf("snc:" + file + ":") === 0) { localStorage.removeItem(k); }
      });
      window.location.reload();
    }
  });

  function onEdit(event) {
    var form = event.target.closest && event.target.closest("form[data-save]");
    if (!form || event.target.type === "file") { return; }
    capTable(form);
    schedule(form, event.type === "change" ? 0 : 400);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-attach]")) { attach(event.target); return; }
    onEdit(event);
  });

  function attach(input) {
    var form = input.closest("form");
    var chosen = input.files && input.files[0];
    if (!chosen) { return; }
    status(msg("saving"));
    var url = input.getAttribute("data-attach") + "?name=" + encodeURIComponent(chosen.name) +
      "&version=" + encodeURIComponent(body.getAttribute("data-version"));
    fetch(url, { method: "POST", credentials: "same-origin", body: chosen }).then(function (response) {
      return response.json().then(function (data) { return { code: response.status, data: data }; });
    }).then(function (answer) {
      if (answer.code === 200) {
        window.location.reload();
      } else if (answer.code === 409) {
        banner(answer.data.message);
      } else {
        showErrors(form, answer.data.errors || [{ field: "", message: answer.data.message }]);
      }
    }).catch(function () { status(msg("offline")); });
  }

  // The cap table's live check: each non-EU holder's larger share against 24 %, their total against 39 %.
  function capTable(form) {
    var table = form.querySelector("[data-cap-table]");
    var out = form.querySelector("[data-cap-table-summary]");
    if (!table || !out) { return; }
    var eu = (form.getAttribute("data-eu") || "").split(",");
    var number = function (row, field) {
      var el = row.querySelector("[name$='." + field + "']");
      var n = el ? parseFloat(String(el.value).replace(",", ".")) : NaN;
      return isNaN(n) ? 0 : n;
    };
    var lines = [];
    var total = 0;
    table.querySelectorAll("tbody [data-row]").forEach(function (row) {
      var countryEl = row.querySelector("[name$='.country']");
      var nameEl = row.querySelector("[name$='.name']");
      var country = countryEl ? countryEl.value : "";
      if (!country || eu.indexOf(country) >= 0) { return; }
      var share = Math.max(number(row, "capital_pct"), number(row, "voting_pct"));
      total += share;
      lines.push(out.getAttribute("data-msg-holder").replace("{name}", nameEl ? nameEl.value : "")
        .replace("{country}", country).replace("{share}", String(share)) + " — " +
        out.getAttribute(share > 24 ? "data-msg-over" : "data-msg-within"));
    });
    lines.push(out.getAttribute("data-msg-total").replace("{total}", String(Math.round(total * 100) / 100)) + " — " +
      out.getAttribute(total > 39 ? "data-msg-over" : "data-msg-within"));
    out.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      out.appendChild(p);
    });
  }

  var init = document.querySelector("form[data-init]");
  if (init) {
    init.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(init.getAttribute("data-init"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ version: "", fields: fields(init) })
      }).then(function (response) {
        return response.json().then(function (data) { return { code: response.status, data: data }; });
      }).then(function (answer) {
        if (answer.code === 200 || answer.code === 409) { window.location.reload(); return; }
        showErrors(init, answer.data.errors || [{ field: "", message: answer.data.message }]);
      });
    });
  }

  // Input kept from an earlier visit that the server never acknowledged: put back and saved now.
  var restored = false;
  document.querySelectorAll("form[data-save]").forEach(function (form) {
    capTable(form);
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(storeKey(form)) || "null"); } catch (e) { kept = null; }
    if (kept && kept.fields) {
      restore(form, kept.fields);
      restored = true;
      enqueue(form);
    }
  });
  if (restored) { status(msg("restored")); }
}());
