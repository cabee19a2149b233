// Outreach's service worker: the app shell and the anonymous-contact form stay usable when the
// connection drops. Only the contact form (a tally, no personal data) and an offline page are
// kept; every other page is fetched from the network and never stored. Logging out deletes
// the cache.
"use strict";

var CACHE = "outreach-offline-v1";
var OFFLINE = "/offline";
// the start page, where the app opens from the tablet's home screen (the manifest's start_url)
var START = "/";
// the server serves this script with each "/static/…" name fingerprinted, as the pages ask
var SHELL = ["/static/css/app.css", "/static/js/app.js", "/static/js/outbox.js",
             "/static/vendor/htmx.min.js", "/static/favicon.svg",
             "/static/icons/apple-touch-icon.png", OFFLINE];
var CONTACT_FORM = /^\/faltpass\/[A-Za-z0-9_-]{16}\/anonym-kontakt$/;
var LOGOUT = /^\/logga-ut(-overallt)?$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // the server names the files with a hash of their content: an earlier version's are dropped
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (kept) {
        var path = new URL(kept.url).pathname;
        return path.indexOf("/static/") === 0 && SHELL.indexOf(path) < 0;
      }).map(function (old) { return cache.delete(old); }));
    });
  }).then(function () { return self.clients.claim(); }));
});

function remember(key) {
  return function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  };
}

// the contact form kept last (the cache keeps the order they were put in), or the offline page
function lastContactForm() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      var forms = requests.map(function (kept) { return new URL(kept.url).pathname; })
        .filter(function (path) { return CONTACT_FORM.test(path); });
      return forms.length ? Response.redirect(forms[forms.length - 1], 302)
                          : cache.match(OFFLINE);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && LOGOUT.test(url.pathname)) {
    // the user leaves: nothing of theirs stays on the tablet
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    if (CONTACT_FORM.test(url.pathname)) {
      // the network first; the copy kept from the last visit when there is none
      event.respondWith(fetch(request).then(remember(url.pathname)).catch(function () {
        return caches.match(url.pathname).then(function (kept) {
          return kept || caches.match(OFFLINE);
        });
      }));
    } else if (url.pathname === START) {
      // opened from the home screen without a connection: the contact form kept last
      event.respondWith(fetch(request).catch(lastContactForm));
    } else {
      event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
    }
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fetch(request).then(remember(url.pathname)).catch(function () {
      return caches.match(url.pathname);
    }));
  }
});
