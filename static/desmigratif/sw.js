// Portal Desmigratif's service worker: kept in static/, served at /sw.js so that it covers the
// whole portal (desmigratif.views.service_worker). What it keeps on the phone, and why that is
// acceptable under UU PDP: docs/decisions.md, "Offline".
//
// * Static files: kept once fetched; a fingerprinted one (production) is never fetched again.
// * The forms officers open in the field without a signal (FORMS) and the outbox page: fetched
//   from the network when there is one, kept, and shown from the cache when there is none.
//   Nothing else is kept: any other page opened without a signal shows the outbox page.
// * A form sent when the signal drops on the way: put in the outbox (outbox-store.js) when it
//   carries an idempotency key, so that sending it again can never do it twice.
"use strict";
importScripts("/static/desmigratif/outbox-store.js");

const SHELL = "desmigratif-shell-v1";
const PAGES = "desmigratif-pages-v1";
const OUTBOX_PAGE = "/kotak-keluar/";
const FORMS = ["/layanan-migrasi/rumah-tangga/baru/", "/layanan-migrasi/layanan/baru/", OUTBOX_PAGE];
// Forms of one record, kept once opened: a new stay abroad for a person. A return, a departure
// and a follow-up are forms on the household's or the case's page, which are not kept (they show
// far more than the form); opened before the signal went, they still go to the outbox.
const RECORD_FORMS = [/^\/layanan-migrasi\/anggota\/\d+\/migrasi\/baru\/$/];
const kept = (path) => FORMS.includes(path) || RECORD_FORMS.some((pattern) => pattern.test(path));

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => ![SHELL, PAGES].includes(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// A page asks, once signed in and online, for the forms to be kept for later.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "keep-forms") {
    // Marked as background work: it neither keeps the officer's session alive nor ends it.
    const headers = { "X-Desmigratif-Background": "1" };
    event.waitUntil(Promise.all(FORMS.map((path) => keep(new Request(path, { credentials: "same-origin", headers })))));
  }
  if (event.data && event.data.type === "forget") {
    event.waitUntil(caches.delete(PAGES));
  }
});

async function keep(request) {
  try {
    const response = await fetch(request);
    // A form page as a signed-in user sees it; never the login page it redirects to otherwise.
    if (response.ok && !response.redirected) await (await caches.open(PAGES)).put(new URL(request.url).pathname, response);
  } catch (error) {
    // No signal: what was kept stays.
  }
}

// collectstatic's names carry their content's hash: such a file never changes. Others (the
// development server's) are fetched afresh while there is a signal.
const FINGERPRINTED = /\.[0-9a-f]{12}\.\w+$/;

async function staticFile(request) {
  const cache = await caches.open(SHELL);
  if (FINGERPRINTED.test(new URL(request.url).pathname)) {
    const hit = await cache.match(request);
    if (hit) return hit;
  }
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    return (await cache.match(request)) || offline();
  }
}

async function page(request) {
  const path = new URL(request.url).pathname;
  try {
    const response = await fetch(request);
    if (kept(path) && response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(path, copy));
    }
    return response;
  } catch (error) {
    const pages = await caches.open(PAGES);
    return (await pages.match(path)) || (await pages.match(OUTBOX_PAGE)) || offline();
  }
}

function offline() {
  return new Response("Tidak ada sinyal. / No connection.", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

async function send(request, referrer) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const data = await copy.formData();
    const key = data.get("_idempotency_key");
    const user = await self.DesmigratifOutbox.user();
    if (!key || !user) return offline(); // cannot be sent again safely, or nobody to send it for
    const entry = self.DesmigratifOutbox.entry({
      key,
      user,
      action: new URL(request.url).pathname,
      page: referrer,
      label: data.get("_outbox_label") || new URL(request.url).pathname,
      data,
    });
    await self.DesmigratifOutbox.put(entry);
    return Response.redirect(`${OUTBOX_PAGE}?saved=1`, 303);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET" && url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(page(request));
  } else if (request.mode === "navigate" && request.method === "POST") {
    const referrer = request.referrer ? new URL(request.referrer).pathname : url.pathname;
    event.respondWith(send(request, referrer));
  }
});
