// The outbox on this phone: forms saved without a signal, waiting to be sent (IndexedDB, so
// that photos can wait too). Shared by the pages (outbox.js) and the service worker (sw.js).
// An entry: {key (the form's idempotency key), user, action (the path it posts to), page (where
// the form was), label, at, status ("waiting", "sent" or "refused"), fields ([name, value,
// file name] with values as strings or Blobs), messages (the server's, when refused), result
// (the page a sent form led to)}. "meta" keeps the user signed in on this phone.
(() => {
  "use strict";
  const NAME = "desmigratif";
  let opening = null;

  function open() {
    opening ||= new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("outbox", { keyPath: "key" });
        db.createObjectStore("meta", { keyPath: "name" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opening;
  }

  async function run(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const result = work(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    });
  }

  self.DesmigratifOutbox = {
    put: (entry) => run("outbox", "readwrite", (store) => store.put(entry)),
    remove: (key) => run("outbox", "readwrite", (store) => store.delete(key)),
    all: () => run("outbox", "readonly", (store) => store.getAll()),
    async mine(user) {
      return (await this.all()).filter((entry) => entry.user === user).sort((a, b) => a.at - b.at);
    },
    async clear(user) {
      for (const entry of await this.mine(user)) await this.remove(entry.key);
    },
    setUser: (user) => run("meta", "readwrite", (store) => store.put({ name: "user", value: user })),
    async user() {
      const row = await run("meta", "readonly", (store) => store.get("user"));
      return row ? row.value : "";
    },
    forgetUser: () => run("meta", "readwrite", (store) => store.delete("user")),
    // An entry from a form's data: files kept as Blobs with their names.
    entry({ key, user, action, page, label, data }) {
      const fields = [];
      for (const [name, value] of data.entries()) {
        if (name === "csrfmiddlewaretoken") continue; // the page that sends it gives its own
        if (typeof value === "string") fields.push([name, value]);
        else if (value.size) fields.push([name, value, value.name]);
      }
      return { key, user, action, page, label, at: Date.now(), status: "waiting", fields, messages: [], result: "" };
    },
  };
})();
