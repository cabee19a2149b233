// Outreach's outbox: an anonymous contact (or a shift's situation note) saved while the
// connection is gone, or while the server cannot answer, waits in IndexedDB on the tablet and
// is sent when the connection returns, oldest first. Each contact carries a token of its own,
// so sending it again never logs it twice; a note sent again says the same. Only these two
// forms (form[data-outbox]) are queued, never anything about a named youth. Logging out
// empties the queue, after a warning while it still holds unsent items; the service worker
// empties its cache.
(function () {
  "use strict";

  var DB = "outreach-outbox";
  var STORE = "contacts";
  var RETRY_MS = 15000;

  if (!("indexedDB" in window) || !window.fetch) return;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "token" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request && request.result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function save(item) { return withStore("readwrite", function (s) { return s.put(item); }); }
  function forget(token) { return withStore("readwrite", function (s) { return s.delete(token); }); }
  function everything() { return withStore("readonly", function (s) { return s.getAll(); }); }

  function user() { return document.body.getAttribute("data-user") || ""; }
  function mine() {
    return everything().then(function (items) {
      return (items || []).filter(function (item) { return item.user === user(); });
    });
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function newToken() {
    var bytes = new Uint8Array(24);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  var statusElement = document.getElementById("outbox-status");
  // a message from the status element's attributes; "-one" holds the singular where it differs
  function text(name, count) {
    var singular = count === 1 && statusElement.getAttribute("data-" + name + "-one");
    return (singular || statusElement.getAttribute("data-" + name) || "")
      .replace("{n}", String(count));
  }

  function showStatus() {
    if (!statusElement) return Promise.resolve([]);
    return mine().then(function (items) {
      var waiting = items.filter(function (item) { return !item.failed; }).length;
      var failed = items.length - waiting;
      var parts = [];
      if (waiting) parts.push(text("waiting", waiting));
      if (failed) parts.push(text("failed", failed));
      if (waiting && statusElement.getAttribute("data-not-kept") === "yes") {
        parts.push(text("not-persistent", 0));
      }
      statusElement.textContent = parts.join(" ");
      statusElement.hidden = parts.length === 0;
      return items;
    });
  }

  // Ask the browser to keep the queue when space runs short; say so when it will not.
  function askToKeep() {
    if (!navigator.storage || !navigator.storage.persist) return Promise.resolve();
    return navigator.storage.persisted().then(function (kept) {
      return kept || navigator.storage.persist();
    }).then(function (kept) {
      if (statusElement) statusElement.setAttribute("data-not-kept", kept ? "no" : "yes");
    });
  }

  // "sent", "refused" (with the form the server answered) or "later" (no connection, the
  // server failing, or a login or a fresh page needed first)
  function send(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("csrf_token", csrfToken());
    return fetch(item.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "HX-Request-Type": "partial", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.redirected && response.url.indexOf("/logga-in") !== -1) return { outcome: "later" };
      if (response.status === 400 || response.status >= 500) return { outcome: "later" };
      return response.text().then(function (html) {
        return { outcome: response.ok ? "sent" : "refused", html: html };
      });
    }, function () { return { outcome: "later" }; });
  }

  var flushing = false;
  // the contacts being put in the queue right now: logging out waits for them
  var saving = Promise.resolve();
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return mine().then(function (items) {
      var queue = items.filter(function (item) { return !item.failed; });
      queue.sort(function (a, b) { return a.queuedAt - b.queuedAt; });
      return queue.reduce(function (previous, item) {
        return previous.then(function (stop) {
          if (stop) return true;
          return send(item).then(function (result) {
            if (result.outcome === "sent") return forget(item.token).then(function () { return false; });
            if (result.outcome === "refused") {
              item.failed = true;
              return save(item).then(function () { return false; });
            }
            return true; // later: keep the rest for the next try too
          });
        });
      }, Promise.resolve(false));
    }).then(function () { flushing = false; return showStatus(); },
            function () { flushing = false; });
  }

  // The form the server answered, in place of the one sent; false when the answer holds no
  // such form (a refusal page).
  function swapIn(form, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("form#" + form.id);
    if (!fresh) return false;
    form.replaceWith(fresh);
    if (window.outreachFocusAnswer) window.outreachFocusAnswer(fresh);  // app.js
    return true;
  }

  function keptOnTablet(form) {
    if (form.getAttribute("data-outbox") === "new") {
      // ready for the next contact, which gets a token of its own
      form.reset();
      form.elements.token.value = newToken();
    }
    // what the server said about the contact before is no news about this one
    form.querySelectorAll(".flash.success").forEach(function (said) { said.remove(); });
    var note = form.querySelector(".outbox-saved");
    if (!note) {
      note = document.createElement("p");
      note.className = "flash info outbox-saved";
      note.setAttribute("role", "status");
      form.insertBefore(note, form.firstChild);
    }
    note.textContent = statusElement ? text("saved", 0) : "";
    note.setAttribute("tabindex", "-1");
    note.focus();
  }

  // The contact form: every submission gets a token of its own, goes to the queue first and
  // is taken out of it when the server has it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-outbox]")) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var token = newToken();
    if (form.elements.token) form.elements.token.value = token;
    var item = {
      token: token,
      user: user(),
      action: form.action,
      fields: Array.from(new FormData(form).entries()),
      queuedAt: Date.now()
    };
    if (button) button.disabled = true;
    var saved = save(item);
    saving = saving.then(function () { return saved; }).catch(function () {});
    saved.then(function () {
      return navigator.onLine ? send(item) : { outcome: "later" };
    }).then(function (result) {
      if (result.outcome === "later") {
        keptOnTablet(form);
        return askToKeep();
      }
      return forget(item.token).then(function () {
        // an answer without the form (a refusal page): let the browser show it
        if (!swapIn(form, result.html)) form.submit();
      });
    }).then(showStatus).then(function () {
      if (button) button.disabled = false;
    }, function () {
      // no storage on this tablet (or it failed): send the form the plain way; its token
      // keeps it from being logged twice
      form.submit();
    });
  });

  // The logout sent: the page's polling waits for it (app.js); submit() does not come back
  // through the listener below.
  function logOut(form) {
    if (window.outreachLeaving) window.outreachLeaving();
    form.submit();
  }

  // Logging out empties the queue (the service worker empties its cache when it sees the
  // logout go by); while contacts wait, the first press warns. It looks in the queue itself,
  // after any contact still being put there, so a press right after saving warns too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.logout")) return;
    event.preventDefault();
    saving.then(mine).then(function (items) {
      var unsent = items.filter(function (item) { return !item.failed; }).length;
      if (unsent && form.getAttribute("data-warned") !== "yes" && statusElement) {
        form.setAttribute("data-warned", "yes");
        statusElement.textContent = text("unsent", unsent);
        statusElement.hidden = false;
        statusElement.focus();
        return null;
      }
      return Promise.all(items.map(function (item) { return forget(item.token); }));
    }).then(function (leaving) {
      if (leaving !== null) logOut(form);
    }, function () {
      logOut(form);  // no queue on this tablet: nothing to lose
    });
  });

  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () {
    if ("serviceWorker" in navigator && document.body.getAttribute("data-offline") === "yes") {
      navigator.serviceWorker.register("/sw.js");
    }
    showStatus().then(flush);
    setInterval(function () { if (statusElement && !statusElement.hidden) flush(); }, RETRY_MS);
  });
})();
