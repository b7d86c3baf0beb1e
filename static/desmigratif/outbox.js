// The outbox, on the pages' side (the store: outbox-store.js; the service worker: sw.js).
//
// * A form that may wait (form[data-offline], with its idempotency key) sent without a signal
//   goes into the outbox on this phone instead of being lost; the page says so, and the menu
//   counts what waits.
// * When there is a signal (on every page, and when it comes back), each waiting entry is sent
//   once, with this page's CSRF token. The server does it once whatever happens
//   (desmigratif/idempotency.py). A sent entry shows the page it led to. A refused one keeps
//   the server's messages and can be opened to be fixed: its values become the form's draft
//   (drafts.js) and the page the form was on opens.
// * Logging out deletes this user's outbox, drafts and kept pages, after a warning.
(() => {
  "use strict";
  const body = document.body;
  const user = body.dataset.user;
  const store = self.DesmigratifOutbox;
  const text = (id) => (document.getElementById("outbox-texts") || body).dataset[id] || "";

  if (!user || !store || !window.indexedDB) {
    if ("serviceWorker" in navigator && !user) {
      // Signed out: nothing personal stays in the pages' cache.
      navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage({ type: "forget" }));
    }
    return;
  }

  const csrf = () => JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";

  async function count() {
    const waiting = (await store.mine(user)).filter((entry) => entry.status !== "sent").length;
    for (const badge of document.querySelectorAll("[data-outbox-count]")) {
      badge.textContent = waiting;
      badge.closest("[data-outbox-link]").hidden = waiting === 0;
    }
    return waiting;
  }

  function labelOf(form) {
    const heading = document.querySelector("main h1");
    return (form.dataset.offline || (heading ? heading.textContent : document.title)).trim().slice(0, 150);
  }

  // Forms: without a signal, into the outbox; with one, sent as usual (the service worker keeps
  // it if the signal drops on the way). Either way the label goes along.
  for (const form of document.querySelectorAll("form[data-offline]")) {
    form.addEventListener("submit", async (event) => {
      let label = form.querySelector("input[name=_outbox_label]");
      if (!label) {
        label = Object.assign(document.createElement("input"), { type: "hidden", name: "_outbox_label" });
        form.append(label);
      }
      label.value = labelOf(form);
      if (navigator.onLine) return;
      event.preventDefault();
      const data = new FormData(form);
      const action = new URL(form.action, window.location.href).pathname;
      await store.put(
        store.entry({ key: data.get("_idempotency_key"), user, action, page: window.location.pathname, label: label.value, data }),
      );
      window.DesmigratifDrafts?.drop(action);
      const banner = document.getElementById("outbox-saved").content.firstElementChild.cloneNode(true);
      form.before(banner);
      banner.scrollIntoView({ block: "center" });
      form.querySelector("button[type=submit]").disabled = true; // this one is kept; open the form again for another
      count();
    });
  }

  function messagesOf(html, status) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const pick = (selector) =>
      [...new Set([...page.querySelectorAll(selector)].map((element) => element.textContent.replace(/\s+/g, " ").trim()))].filter(Boolean);
    // The form's summary of its errors when it has one, else each field's, else the page's alerts.
    for (const selector of ["#form-errors li", ".invalid-feedback", "main .alert-danger, main .alert-warning"]) {
      const found = pick(selector);
      if (found.length) return found;
    }
    return [status === 404 || status === 403 ? text("forbidden") : text("refused")];
  }

  async function send(entry) {
    const data = new FormData();
    for (const [name, value, filename] of entry.fields) {
      if (filename) data.append(name, value, filename);
      else data.append(name, value);
    }
    data.append("csrfmiddlewaretoken", csrf());
    let response;
    try {
      response = await fetch(entry.action, { method: "POST", body: data, credentials: "same-origin" });
    } catch (error) {
      return false; // still no signal
    }
    const landed = new URL(response.url);
    if (landed.pathname === body.dataset.loginPath) return false; // the session ended: after logging in
    if (response.headers.get("X-Idempotent-Busy")) {
      setTimeout(sendAll, 3000); // an earlier sending of it is still being saved: ask again soon
      return false;
    }
    if (response.redirected) {
      Object.assign(entry, { status: "sent", result: landed.pathname + landed.search, fields: [], messages: [] });
    } else {
      Object.assign(entry, { status: "refused", messages: messagesOf(await response.text(), response.status) });
    }
    await store.put(entry);
    return true;
  }

  let sending = false;
  async function sendAll() {
    if (sending || !navigator.onLine) return;
    sending = true;
    try {
      for (const entry of await store.mine(user)) {
        if (entry.status === "waiting" && !(await send(entry))) break;
      }
    } finally {
      sending = false;
    }
    await count();
    draw();
  }

  // The outbox page.
  async function draw() {
    const list = document.getElementById("outbox-list");
    if (!list) return;
    const template = document.getElementById("outbox-entry");
    const entries = await store.mine(user);
    list.replaceChildren();
    document.getElementById("outbox-empty").hidden = entries.length > 0;
    for (const entry of entries) {
      const card = template.content.firstElementChild.cloneNode(true);
      card.dataset.status = entry.status;
      card.querySelector("[data-label]").textContent = entry.label;
      card.querySelector("[data-time]").textContent = new Date(entry.at).toLocaleString(document.documentElement.lang);
      card.querySelector("[data-state]").textContent = text(entry.status);
      const messages = card.querySelector("[data-messages]");
      for (const message of entry.messages) messages.append(Object.assign(document.createElement("li"), { textContent: message }));
      const result = card.querySelector("[data-result]");
      if (entry.status === "sent") {
        result.href = entry.result;
        result.hidden = false;
      }
      const fix = card.querySelector("[data-fix]");
      fix.hidden = entry.status !== "refused";
      fix.addEventListener("click", async () => {
        window.DesmigratifDrafts?.write(entry.action, entry.fields);
        await store.remove(entry.key);
        window.location.href = entry.page;
      });
      card.querySelector("[data-remove]").addEventListener("click", async () => {
        if (entry.status !== "sent" && !window.confirm(text("removeWarning"))) return;
        await store.remove(entry.key);
        draw();
        count();
      });
      list.append(card);
    }
  }

  document.getElementById("outbox-send")?.addEventListener("click", sendAll);
  window.addEventListener("online", sendAll);
  store.setUser(user).then(count).then(draw).then(sendAll);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).catch(() => {});
    navigator.serviceWorker.ready.then((registration) => {
      if (navigator.onLine) registration.active?.postMessage({ type: "keep-forms" });
    });
  }

  // Logging out: this user's outbox, drafts and kept pages go, after a warning if any waits.
  const logout = document.querySelector("form[data-logout]");
  logout?.addEventListener("submit", async (event) => {
    if (logout.dataset.confirmed) return;
    event.preventDefault();
    const waiting = await count();
    const drafts = window.DesmigratifDrafts?.count() || 0;
    if ((waiting || drafts) && !window.confirm(text("logoutWarning").replace("{outbox}", waiting).replace("{drafts}", drafts))) {
      return;
    }
    await store.clear(user);
    await store.forgetUser();
    window.DesmigratifDrafts?.clear();
    const registration = "serviceWorker" in navigator ? await navigator.serviceWorker.getRegistration() : null;
    registration?.active?.postMessage({ type: "forget" });
    logout.dataset.confirmed = "1";
    logout.requestSubmit();
  });
})();
