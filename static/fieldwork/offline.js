// Offline that survives: registers the field pages' service worker (Workbox, fieldwork/views/offline.py)
// and asks it to keep the pages listed in data-offline-pages; asks the browser to keep this site's storage
// (navigator.storage.persist: queued forms are not evicted under storage pressure); shows how many forms
// wait and since when; exports the unsent forms to a signed file a supervisor can import.
// The queue itself is entry.js's: IndexedDB "fieldwork-entry-<user>", store "queue" (read only here).
(function () {
  "use strict";

  var root = document.querySelector("[data-offline]");
  if (!root) return;
  var text = {};
  var messages = document.getElementById("offline-messages");
  if (messages) text = JSON.parse(messages.textContent);

  function fmt(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }

  // ---------------------------------------------------------------- the service worker

  var swUrl = root.getAttribute("data-sw-url");
  var scope = root.getAttribute("data-sw-scope");
  function warmList() {
    var urls = [window.location.pathname];
    Array.prototype.forEach.call(document.querySelectorAll("script[src], link[rel=stylesheet]"), function (el) {
      urls.push(el.getAttribute("src") || el.getAttribute("href"));
    });
    (root.getAttribute("data-offline-pages") || "").split(" ").forEach(function (url) { if (url) urls.push(url); });
    return urls;
  }
  if (swUrl && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(swUrl, { scope: scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (navigator.onLine === false || !registration.active) return;
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "warmed") root.setAttribute("data-offline-ready", "1");
      });
      registration.active.postMessage({ type: "warm", urls: warmList() });
    }).catch(function () { root.setAttribute("data-offline-ready", "no"); });
  }

  // ---------------------------------------------------------------- persistent storage

  var storageNote = document.getElementById("storage-state");
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then(function (already) {
      return already || navigator.storage.persist();
    }).then(function (granted) {
      root.setAttribute("data-persistent", granted ? "1" : "0");
      if (storageNote) storageNote.textContent = granted ? text.persistent : text.not_persistent;
    }).catch(function () {});
  }

  // ---------------------------------------------------------------- the queue: how many, since when

  var userKey = root.getAttribute("data-user");
  var sinceBox = document.getElementById("waiting-since");

  function readQueue() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) return resolve([]);
      var request = indexedDB.open("fieldwork-entry-" + userKey, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("queue", { keyPath: "client_uuid" }); };
      request.onerror = function () { resolve([]); };
      request.onsuccess = function () {
        var db = request.result;
        var all = db.transaction("queue", "readonly").objectStore("queue").getAll();
        all.onsuccess = function () { db.close(); resolve(all.result || []); };
        all.onerror = function () { db.close(); resolve([]); };
      };
    });
  }

  function showSince(items) {
    if (!sinceBox) return;
    var times = items.map(function (i) { return i.queued_at; }).filter(Boolean).sort();
    if (!times.length) {
      sinceBox.textContent = "";
      sinceBox.removeAttribute("data-since");
      return;
    }
    var oldest = new Date(times[0]);
    sinceBox.setAttribute("data-since", times[0]);
    sinceBox.textContent = fmt(text.since, { when: oldest.toLocaleString() });
  }

  function refresh() { return readQueue().then(function (items) { showSince(items); return items; }); }
  document.addEventListener("entry:queue", refresh);
  refresh();

  // ---------------------------------------------------------------- export to a signed file

  var exportButton = document.getElementById("queue-export");
  var exportKey = root.getAttribute("data-export-key");

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
  }

  function sign(body) {
    if (!(window.crypto && crypto.subtle)) return Promise.resolve("");
    var encoder = new TextEncoder();
    return crypto.subtle.importKey("raw", encoder.encode(exportKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) { return crypto.subtle.sign("HMAC", key, encoder.encode(body)); })
      .then(hex);
  }

  if (exportButton) {
    exportButton.addEventListener("click", function () {
      readQueue().then(function (items) {
        var waiting = items.map(function (i) { return { client_uuid: i.client_uuid, kind: i.kind, queued_at: i.queued_at, payload: i.payload }; });
        var body = JSON.stringify(waiting);
        return sign(body).then(function (signature) {
          var file = {
            format: "parindex-field-queue",
            version: 1,
            user: Number(userKey),
            username: root.getAttribute("data-username"),
            exported_at: new Date().toISOString(),
            count: waiting.length,
            items: body,
            signature: signature,
          };
          var blob = new Blob([JSON.stringify(file, null, 1)], { type: "application/json" });
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = "phieu-chua-gui-" + root.getAttribute("data-username") + "-" + new Date().toISOString().slice(0, 16).replace(/[:T]/g, "") + ".json";
          document.body.appendChild(link);
          link.click();
          setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
          var note = document.getElementById("export-note");
          if (note) note.textContent = fmt(text.exported, { n: waiting.length });
        });
      });
    });
  }
})();
