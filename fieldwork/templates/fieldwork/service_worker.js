{% autoescape off %}// The field entry pages' service worker (served at {{ scope }}sw.js, scope {{ scope }}): the entry pages and
// their scripts keep opening without a network once opened (or warmed) once. Workbox {{ workbox_version }},
// served from our own static files (static/vendor/, docs/decisions.md D359). Queued forms are not here:
// they live in the page's IndexedDB and are sent by the page (static/fieldwork/entry.js).
importScripts({{ workbox_sw }});
workbox.setConfig({ debug: false, modulePathPrefix: {{ workbox_prefix }} });

var PAGES = "field-pages-v1";
var ASSETS = "field-assets-v1";
var STATIC = {{ static_url }};
var OFFLINE_PATHS = {{ offline_paths }};

// Never keep a page that ended somewhere else (the login page after a session ran out) as an entry page.
var NOT_REDIRECTED = {
  cacheWillUpdate: function (options) { return Promise.resolve(options.response.redirected ? null : options.response); },
};

self.skipWaiting();
workbox.core.clientsClaim();

function isEntryPage(url) {
  return OFFLINE_PATHS.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

// Entry pages: the network first (fresh assignments, a valid CSRF token); the copy kept when offline.
workbox.routing.registerRoute(
  function (options) { return options.request.mode === "navigate" && isEntryPage(options.url); },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 5,
    plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }), NOT_REDIRECTED],
  })
);

// Scripts and styles: the copy kept, refreshed in the background.
workbox.routing.registerRoute(
  function (options) { return options.url.origin === self.location.origin && options.url.pathname.indexOf(STATIC) === 0; },
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: ASSETS,
    plugins: [
      new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
      new workbox.expiration.ExpirationPlugin({ maxEntries: 200 }),
    ],
  })
);

// The page asks to keep copies of the pages it links to (every assignment's entry page) and of its own
// scripts: then each assignment opens offline even if it was never opened before.
function warm(urls) {
  return Promise.all(urls.map(function (href) {
    var url = new URL(href, self.location.origin);
    if (url.origin !== self.location.origin) return null;
    var cacheName = isEntryPage(url) ? PAGES : url.pathname.indexOf(STATIC) === 0 ? ASSETS : null;
    if (!cacheName) return null;
    return fetch(url.href, { credentials: "same-origin" }).then(function (reply) {
      if (reply.status !== 200 || reply.redirected) return null;
      return caches.open(cacheName).then(function (cache) { return cache.put(url.href, reply); });
    }).catch(function () { return null; });
  }));
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.urls)) {
    var done = warm(data.urls.slice(0, 200)).then(function () {
      if (event.source) event.source.postMessage({ type: "warmed", count: data.urls.length });
    });
    if (event.waitUntil) event.waitUntil(done);
  }
  if (data.type === "forget") {
    // Logging out on a shared device: the copies of the pages go (queued forms stay, per user).
    event.waitUntil(caches.delete(PAGES));
  }
});
{% endautoescape %}
