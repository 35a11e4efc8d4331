// The staff directory's script (/personil, /personil/{nrp}): edits carry the version the page
// was drawn from (If-Match), so an edit on a stale page is refused (412) instead of
// overwriting; only the fields that changed are sent. Imports: the file goes up as it is,
// the preview comes back as the same report `cicero import` prints, and "Simpan" applies it.
"use strict";
(function () {
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const say = (text, ok) => window.cicero.say(text, ok);

  async function send(method, url, body, headers) {
    const init = {
      method,
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": meta("csrf-token"), Accept: "application/json" }, headers || {}),
    };
    if (body instanceof Blob) {
      init.body = body;
      init.headers["Content-Type"] = "application/octet-stream";
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
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

  const versioned = (el) => ({ "If-Match": `"${el.dataset.versi}"` });

  function stale(err) {
    // 412: someone changed this person since the page was drawn; say so and offer a reload.
    return err.status === 412 ? `${window.cicero.problems(err)} Muat ulang halaman untuk melihat data terbaru.` : window.cicero.problems(err);
  }

  // Only what differs from what the page showed (an untouched field is never re-validated).
  function changed(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit") continue;
      if (el.name === "reason") { if (el.value.trim()) out.reason = el.value.trim(); continue; }
      if (el.type === "checkbox") { if (el.checked !== el.defaultChecked) out[el.name] = el.checked; continue; }
      if (el.tagName === "SELECT") {
        const before = Array.from(el.options).find((o) => o.defaultSelected);
        if (!before || before.value !== el.value) out[el.name] = el.value;
        continue;
      }
      if (el.value !== el.defaultValue) out[el.name] = el.value;
    }
    return out;
  }

  document.addEventListener("submit", async (ev) => {
    const form = ev.target.closest("form[data-ubah],form[data-role]");
    if (!form) return;
    ev.preventDefault();
    const button = form.querySelector("[type=submit]");
    try {
      let body;
      if (form.dataset.ubah !== undefined) {
        body = changed(form);
        if (Object.keys(body).filter((k) => k !== "reason").length === 0) return say("Tidak ada yang diubah.", true);
      } else {
        body = { roles: Array.from(form.querySelectorAll("input[name=roles]:checked"), (el) => el.value) };
        const reason = form.elements.reason && form.elements.reason.value.trim();
        if (reason) body.reason = reason;
      }
      if (button) button.disabled = true;
      const url = form.dataset.ubah || form.dataset.role;
      await send(form.dataset.ubah ? "PATCH" : "PUT", url, body, versioned(form));
      location.reload();
    } catch (err) {
      say(stale(err), false);
    } finally {
      if (button) button.disabled = false;
    }
  });

  document.addEventListener("click", async (ev) => {
    const el = ev.target.closest("[data-ubah-tombol]");
    if (!el) return;
    ev.preventDefault();
    const body = JSON.parse(el.dataset.body || "{}");
    if (el.dataset.alasan) {
      const reason = window.prompt(el.dataset.alasan, "");
      if (reason === null) return;
      body.reason = reason;
    }
    try {
      await send("PATCH", el.dataset.ubahTombol, body, versioned(el));
      location.reload();
    } catch (err) {
      say(stale(err), false);
    }
  });

  // ---- import: preview, then save
  const importForm = document.querySelector("form[data-impor]");
  if (!importForm) return;
  const box = document.querySelector("[data-pratinjau]");
  const saveButton = box.querySelector("[data-simpan-impor]");
  let previewId = null;

  function show(report) {
    box.querySelector("[data-ringkas]").textContent = `(${report.summary})`;
    const tbody = box.querySelector("[data-baris]");
    tbody.textContent = "";
    for (const r of report.rows) {
      const tr = document.createElement("tr");
      tr.dataset.baris = String(r.row);
      tr.dataset.hasil = r.action;
      const detail = [r.detail, ...r.warnings.map((w) => `peringatan: ${w}`)].join("\n");
      for (const text of [String(r.row), r.nrp || "–", r.label, detail]) {
        const td = document.createElement("td");
        td.textContent = text; // the file's words as text, never as markup
        td.style.whiteSpace = "pre-line";
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    box.hidden = false;
  }

  importForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = importForm.elements.file.files[0];
    if (!file) return say("Pilih file .xlsx atau .csv.", false);
    const client = importForm.elements.client_id.value;
    const url = `/api/imports?client_id=${encodeURIComponent(client)}&file_name=${encodeURIComponent(file.name)}`;
    saveButton.hidden = true;
    box.hidden = true;
    try {
      const report = (await send("POST", url, file)).data;
      previewId = report.id;
      show(report);
      const writes = report.counts.new + report.counts.changed;
      saveButton.textContent = `Simpan ${writes} baris`;
      saveButton.hidden = writes === 0;
      say(writes ? "Periksa pratinjau, lalu simpan. Baris yang ditolak tidak ikut disimpan." : "Tidak ada baris yang perlu disimpan.", true);
    } catch (err) {
      say(window.cicero.problems(err), false);
    }
  });

  saveButton.addEventListener("click", async () => {
    if (previewId === null) return;
    saveButton.disabled = true;
    try {
      const report = (await send("POST", `/api/imports/${previewId}/confirm`, {})).data;
      show(report);
      saveButton.hidden = true;
      say(`Impor disimpan: ${report.summary}.`, true);
    } catch (err) {
      say(window.cicero.problems(err), false);
    } finally {
      saveButton.disabled = false;
    }
  });
})();
