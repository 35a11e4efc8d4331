// Cicero's dashboard script: small, hand-written, no build step. Pages work from their server
// rendering; this sends their forms and buttons to the JSON API (with the CSRF token from the
// page's <meta>), copies recaps, and refreshes the status page.
"use strict";
(function () {
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";

  function say(text, ok) {
    const box = document.querySelector("main > .pesan");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
    box.className = "pesan " + (ok ? "ok" : "salah");
  }

  async function call(method, url, body) {
    const init = {
      method,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": meta("csrf-token"), Accept: "application/json" },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(url, init);
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok) {
      const err = new Error((data && data.message) || `Permintaan gagal (${resp.status}).`);
      err.status = resp.status;
      err.data = data;
      throw err;
    }
    return data;
  }

  function problems(err) {
    const fields = (err.data && err.data.error && err.data.error.fields) || {};
    const named = Object.entries(fields).map(([k, v]) => `${k}: ${v}`);
    return named.length ? `${err.message} (${named.join("; ")})` : err.message;
  }

  function fields(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit") continue;
      if (el.dataset.samaDengan !== undefined) continue; // a confirmation box: checked here only
      if (el.multiple) out[el.name] = Array.from(el.selectedOptions, (o) => o.value);
      else if (el.dataset.koma !== undefined)
        out[el.name] = el.value.split(",").map((s) => s.trim()).filter(Boolean);
      else if (el.type === "checkbox") out[el.name] = el.checked;
      else if (el.value !== "" || el.required) out[el.name] = el.value;
    }
    return out;
  }

  function mismatch(form) {
    for (const el of form.querySelectorAll("[data-sama-dengan]")) {
      const other = form.elements[el.dataset.samaDengan];
      if (other && other.value !== el.value) return "Kedua password tidak sama.";
    }
    return "";
  }

  function after(el, data) {
    const next = (data && data.data && data.data.next) || el.dataset.next;
    if (el.dataset.lanjutDariJawaban !== undefined && next) return void (location.href = next);
    if (el.dataset.muatUlang !== undefined) return void location.reload();
    if (el.dataset.kosongkan !== undefined && el.reset) el.reset();
    say(el.dataset.selesai || "Tersimpan.", true);
    if (el.dataset.next) setTimeout(() => (location.href = el.dataset.next), 1500);
  }

  document.addEventListener("submit", async (ev) => {
    const form = ev.target.closest("form[data-api]");
    if (!form) return;
    ev.preventDefault();
    const wrong = mismatch(form);
    if (wrong) return say(wrong, false);
    const button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    try {
      after(form, await call(form.dataset.method || "POST", form.dataset.api, fields(form)));
    } catch (err) {
      say(problems(err), false);
    } finally {
      if (button) button.disabled = false;
    }
  });

  document.addEventListener("click", async (ev) => {
    const el = ev.target.closest("[data-post],[data-delete],[data-logout],[data-salin]");
    if (!el) return;
    ev.preventDefault();
    try {
      if (el.dataset.logout !== undefined) {
        await call("POST", "/api/auth/dashboard-logout", {});
        location.href = "/login";
      } else if (el.dataset.salin !== undefined) {
        await copy(el);
      } else {
        const body = el.dataset.body ? JSON.parse(el.dataset.body) : {};
        if (el.dataset.alasan) {
          const reason = window.prompt(el.dataset.alasan, "");
          if (reason === null) return;
          body.reason = reason;
        }
        if (el.dataset.yakin && !window.confirm(el.dataset.yakin)) return;
        const method = el.dataset.delete !== undefined ? "DELETE" : "POST";
        after(el, await call(method, el.dataset.post || el.dataset.delete, body));
      }
    } catch (err) {
      say(problems(err), false);
    }
  });

  // "Salin rekap": the text the WhatsApp recap sends, from the same renderer, to the clipboard.
  async function copy(el) {
    const resp = await fetch(el.dataset.salin, { credentials: "same-origin" });
    if (!resp.ok) throw new Error(`Rekap tidak dapat diambil (${resp.status}).`);
    const text = await resp.text();
    const box = document.getElementById(el.dataset.tampil || "");
    if (box) { box.value = text; box.hidden = false; }
    try {
      await navigator.clipboard.writeText(text);
      say("Rekap disalin. Tempel di WhatsApp.", true);
    } catch (e) {
      if (box) { box.select(); }
      say("Rekap ditampilkan di bawah; salin secara manual.", true);
    }
  }

  window.cicero = { call, say, problems };
})();

// /status: forms whose API path is filled from their fields ({job}/{action}).
document.addEventListener("submit", async (ev) => {
  const form = ev.target.closest("form[data-api-dinamis]");
  if (!form) return;
  ev.preventDefault();
  const values = Object.fromEntries(new FormData(form).entries());
  const url = form.dataset.apiDinamis.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(values[k] || ""));
  try {
    await window.cicero.call("POST", url, { reason: values.reason || "" });
    location.reload();
  } catch (err) {
    window.cicero.say(window.cicero.problems(err), false);
  }
});

(function () {
  const root = document.querySelector("[data-ops-poll]");
  if (!root) return;
  const every = 1000 * (parseInt(root.dataset.opsPoll, 10) || 5);

  // A pair code, shown with its countdown (WhatsApp keeps one about 160 s).
  for (const form of document.querySelectorAll("form[data-kode-pair]")) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const box = form.parentElement.querySelector("[data-kode]");
      try {
        const answer = await window.cicero.call("POST", form.dataset.kodePair, { phone: form.elements.phone.value });
        let left = 160;
        const show = () => {
          box.textContent = left > 0 ? `${answer.data.code} (berlaku ${left} detik)` : "Kode kedaluwarsa; minta lagi.";
          box.hidden = false;
          if (left-- > 0) setTimeout(show, 1000);
        };
        show();
      } catch (err) {
        window.cicero.say(window.cicero.problems(err), false);
      }
    });
  }

  function fill(tbody, rows, columns) {
    tbody.textContent = "";
    for (const row of rows) {
      const tr = document.createElement("tr");
      for (const key of columns) {
        const td = document.createElement("td");
        const value = row[key];
        td.textContent = value === null || value === undefined || value === "" ? "–" : String(value);
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
  }

  async function refresh() {
    try {
      const resp = await fetch("/api/ops/status", { credentials: "same-origin", cache: "no-store" });
      if (resp.status === 401) return void (location.href = "/login?next=%2Fstatus");
      if (!resp.ok) return;
      const data = (await resp.json()).data;
      root.querySelector("[data-diperbarui]").textContent = new Date(data.at).toLocaleTimeString("id-ID");
      const problems = root.querySelector("[data-masalah]");
      problems.textContent = "";
      for (const p of data.problems) {
        const li = document.createElement("li");
        li.textContent = p;
        problems.appendChild(li);
      }
      problems.hidden = data.problems.length === 0;
      for (const s of data.sessions) {
        const box = root.querySelector(`[data-sesi="${CSS.escape(s.session)}"]`);
        if (!box) continue;
        box.querySelector("[data-kata]").textContent = s.words;
        box.querySelector("[data-jid]").textContent = s.jid;
        const qrBox = box.querySelector("[data-qr-kotak]");
        if (qrBox) {
          const img = qrBox.querySelector("img");
          if (s.qr && img.dataset.qr !== s.qr) {
            img.src = `/api/ops/pairing/${encodeURIComponent(s.session)}/qr.svg?v=${s.qr}`;
            img.dataset.qr = s.qr;
          }
          qrBox.hidden = !s.qr;
          if (!s.qr) { img.removeAttribute("src"); img.dataset.qr = ""; }
        }
        const again = box.querySelector("[data-pair-ulang]");
        if (again) again.hidden = !s.terminal;
      }
      const runs = root.querySelector('[data-tabel="jobs.runs"]');
      if (runs) fill(runs, data.jobs.runs, runs.dataset.kolom.split(","));
      root.querySelector("[data-gated]").textContent = data.jobs.gated.join(", ") || "tidak ada";
    } catch (e) {
      // The next poll tries again; a page left open survives a restart of the service.
    }
  }
  setInterval(refresh, every);
})();
