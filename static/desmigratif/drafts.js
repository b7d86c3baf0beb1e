// Drafts of long forms (form[data-draft]): what the officer types is kept on this phone as it
// is typed, so a session that ends or a signal that drops does not lose it. A draft is kept in
// localStorage under the signed-in user and the form's page; it is offered back when that form
// is opened again (after logging in anew, for one), deleted when the server says the form was
// saved (the short-lived "draft_saved" cookie) or when the officer discards it, and every draft
// of the user is deleted at logout (outbox.js). docs/decisions.md says what is kept and why.
(() => {
  "use strict";
  const user = document.body.dataset.user;
  if (!user || !window.localStorage) {
    return; // signed out: nothing to keep and nothing to offer
  }
  const prefix = `draft:${user}:`;
  const SKIPPED = /^(csrfmiddlewaretoken|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)$/;

  const drafts = () => Object.keys(localStorage).filter((key) => key.startsWith(prefix));
  // The page the form posts to: the path the server names when it was saved.
  const keyOf = (form) => prefix + new URL(form.action, window.location.href).pathname;

  // The server saved a form: its draft is done with.
  const saved = document.cookie.split("; ").find((item) => item.startsWith("draft_saved="));
  if (saved) {
    localStorage.removeItem(prefix + decodeURIComponent(saved.slice("draft_saved=".length)));
    document.cookie = "draft_saved=; Max-Age=0; Path=/; SameSite=Lax";
  }

  const kept = (element) => element.name && !SKIPPED.test(element.name) && element.type !== "password" && element.type !== "file";

  function values(form) {
    const result = {};
    for (const element of form.elements) {
      if (!kept(element) || element.disabled) continue;
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) (result[element.name] ||= []).push(element.value);
        else result[element.name] ||= [];
      } else if (element.multiple) {
        result[element.name] = [...element.selectedOptions].map((option) => option.value);
      } else {
        result[element.name] = element.value;
      }
    }
    return result;
  }

  function apply(form, draft) {
    const missing = [];
    for (const [name, value] of Object.entries(draft)) {
      const elements = [...form.elements].filter((element) => element.name === name);
      if (!elements.length) {
        missing.push(name);
        continue;
      }
      for (const element of elements) {
        if (element.type === "checkbox" || element.type === "radio") {
          element.checked = [].concat(value).includes(element.value);
        } else if (element.multiple) {
          for (const option of element.options) option.selected = [].concat(value).includes(option.value);
        } else if (element.value !== value) {
          element.value = value;
          // The region picker redraws its lower levels when one changes (htmx).
          if (element.tagName === "SELECT") element.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
    }
    return missing;
  }

  // A draft with more member rows than the page: add rows (htmx) until they are there.
  function restore(form, draft, rounds = 0) {
    const missing = apply(form, draft);
    const adder = form.querySelector("[data-draft-add-row]");
    if (missing.length && adder && rounds < 30) {
      document.body.addEventListener("htmx:afterSettle", () => restore(form, draft, rounds + 1), { once: true });
      adder.click();
    } else if (rounds < 30) {
      // Pickers and cascades settle after their own requests; fill once more when they have.
      document.body.addEventListener("htmx:afterSettle", () => apply(form, draft), { once: true });
    }
  }

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  function offer(form, stored) {
    const template = document.getElementById("draft-offer");
    if (!template) return;
    const banner = template.content.firstElementChild.cloneNode(true);
    const when = new Date(stored.at);
    banner.querySelector("[data-draft-time]").textContent = when.toLocaleString(document.documentElement.lang);
    banner.querySelector("[data-draft-restore]").addEventListener("click", () => {
      restore(form, stored.values);
      banner.remove();
    });
    banner.querySelector("[data-draft-discard]").addEventListener("click", () => {
      localStorage.removeItem(keyOf(form));
      banner.remove();
    });
    form.before(banner);
  }

  for (const form of document.querySelectorAll("form[data-draft]")) {
    const key = keyOf(form);
    const stored = JSON.parse(localStorage.getItem(key) || "null");
    const opened = values(form);
    if (stored && !same(stored.values, opened)) offer(form, stored);
    let timer = null;
    const keep = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const now = values(form);
        if (same(now, opened)) return; // nothing typed yet
        try {
          localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: now }));
        } catch (error) {
          // Storage full or refused: the form still works, only without a draft.
        }
      }, 500);
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
  }

  // For the outbox (outbox.js): a queued form's draft goes; a refused entry becomes a draft to
  // fix; logging out deletes them all.
  window.DesmigratifDrafts = {
    drop: (action) => localStorage.removeItem(prefix + action),
    write(action, fields) {
      const values = {};
      for (const [name, value, filename] of fields) {
        if (filename || SKIPPED.test(name) || name === "_outbox_label") continue; // files are chosen again
        if (name in values) values[name] = [].concat(values[name], value);
        else values[name] = value;
      }
      localStorage.setItem(prefix + action, JSON.stringify({ at: Date.now(), values }));
    },
    count: () => drafts().length,
    clear: () => drafts().forEach((key) => localStorage.removeItem(key)),
  };
})();
