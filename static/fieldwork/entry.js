// Keyboard-first entry of paper forms (and double entry): skip rules and checks as you type, a queue of
// unsent forms kept in the browser (IndexedDB, localStorage as a fallback) keyed by client_uuid, and
// sending with retries. The API re-checks everything (fieldwork services, surveys/services/answers.py).
// Plain JavaScript, no framework, no page reload between forms.
(function () {
  "use strict";

  var root = document.getElementById("entry");
  if (!root) return;
  var form = document.getElementById("entry-form");
  var definition = JSON.parse(document.getElementById("entry-definition").textContent);
  var text = JSON.parse(document.getElementById("entry-messages").textContent);
  var kind = root.getAttribute("data-kind"); // "response" or "verification"
  var assignmentId = Number(root.getAttribute("data-assignment"));
  var questionnaireId = Number(root.getAttribute("data-questionnaire"));
  var defaultArea = root.getAttribute("data-area");
  var userKey = root.getAttribute("data-user");
  var sendUrl = root.getAttribute("data-send-url");
  var batchUrl = root.getAttribute("data-batch-url");
  var statsUrl = root.getAttribute("data-stats-url");
  var pageUrl = root.getAttribute("data-page-url");

  var FIRST_RETRY_MS = 2000;
  var MAX_RETRY_MS = 60000;
  var PERIODIC_MS = 30000;
  var BATCH_SIZE = 100;
  var KEY_WAIT_MS = 700; // second digit of an option number above 9

  var questionBoxes = Array.prototype.slice.call(form.querySelectorAll(".eq"));
  var byCode = {};
  definition.sections.forEach(function (section) {
    section.questions.forEach(function (question) { byCode[question.code] = question; });
  });

  // ---------------------------------------------------------------- small helpers

  // The server's decimal parser (kit/numbers.py, docs/decisions.md D100), mirrored for the check as one
  // types: "1,5" and "1.5" are 1.5 in any browser language; grouping and ambiguous "1.500" are refused.
  // The typed text is what is sent: the server parses it again and has the last word.
  var TYPED = /^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$/;
  var GROUPED = /^[+-]?[0-9]{1,3}(?:[ .,\u00a0][0-9]{3})+(?:[.,][0-9]+)?$/;
  var AMBIGUOUS = /^[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}$/;
  function parseDecimal(raw) {
    var value = String(raw).normalize("NFKC").trim().replace("\u2212", "-");
    if (TYPED.test(value) && !AMBIGUOUS.test(value)) {
      return { number: Number(value.replace(",", ".").replace(/\.$/, "")) };
    }
    return { error: GROUPED.test(value) ? "number_grouped" : "number", text: String(raw).trim().slice(0, 40) };
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; a plain-http LAN server still has getRandomValues.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localNow() { // the value format of <input type=datetime-local>, in the browser's time zone
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function localDay(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) {
        return { code: reply.status, data: data };
      });
    });
  }

  // ---------------------------------------------------------------- the queue (IndexedDB or localStorage)

  // One store per user: a shared computer never sends one clerk's forms under another's session.
  var store = (function () {
    var name = "fieldwork-entry-" + userKey;
    var opening = null;

    function idb() {
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          if (!window.indexedDB) return reject(new Error("no IndexedDB"));
          var request = indexedDB.open(name, 1);
          request.onupgradeneeded = function () { request.result.createObjectStore("queue", { keyPath: "client_uuid" }); };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
      }
      return opening;
    }

    function run(mode, action) {
      return idb().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction("queue", mode);
          var result = action(tx.objectStore("queue"));
          tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
          tx.onerror = function () { reject(tx.error); };
          tx.onabort = function () { reject(tx.error); };
        });
      });
    }

    // localStorage fallback (private windows of some browsers refuse IndexedDB).
    function readLocal() {
      try { return JSON.parse(localStorage.getItem(name) || "{}"); } catch (e) { return {}; }
    }
    function writeLocal(all) { localStorage.setItem(name, JSON.stringify(all)); }

    return {
      all: function () {
        return run("readonly", function (s) { return s.getAll(); }).catch(function () {
          var all = readLocal();
          return Object.keys(all).map(function (k) { return all[k]; });
        });
      },
      put: function (item) {
        return run("readwrite", function (s) { s.put(item); }).catch(function () {
          var all = readLocal();
          all[item.client_uuid] = item;
          writeLocal(all);
        });
      },
      remove: function (uuid) {
        return run("readwrite", function (s) { s["delete"](uuid); }).catch(function () {
          var all = readLocal();
          delete all[uuid];
          writeLocal(all);
        });
      },
    };
  })();

  // ---------------------------------------------------------------- skip rules and answers

  var conditionMet = window.SurveyConditions.conditionMet;  // static/surveys/conditions.js

  function optionValue(question, raw) { // the option's own value (a number stays a number)
    var found = null;
    (question.options || []).forEach(function (o) { if (found === null && String(o.value) === raw) found = o.value; });
    return found;
  }

  function rawValue(box) {
    var type = box.getAttribute("data-type");
    var question = byCode[box.getAttribute("data-code")];
    if (type === "multiple") {
      var values = Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return optionValue(question, i.value); });
      return values.length ? values : null;
    }
    if (type === "scale" || type === "single") {
      var chosen = box.querySelector("input:checked");
      return chosen ? optionValue(question, chosen.value) : null;
    }
    var value = box.querySelector("input").value.trim();
    return value === "" ? null : value;
  }

  function setVisible(box, visible) {
    if (box.hidden === !visible) return;
    box.hidden = !visible;
    // Disabled fields are out of the tab order and of the answers.
    Array.prototype.forEach.call(box.querySelectorAll("input"), function (field) { field.disabled = !visible; });
    if (!visible) showError(box, "");
  }

  // Apply the skip rules in order; return the answers of the visible questions (as typed for numbers).
  function refresh() {
    var answers = {};
    questionBoxes.forEach(function (box) {
      var rule = box.getAttribute("data-show-if");
      var condition = rule ? JSON.parse(rule) : null;
      var visible = !condition || conditionMet(condition, answers[condition.question]);
      setVisible(box, visible);
      if (!visible) return;
      var value = rawValue(box);
      if (value !== null) answers[box.getAttribute("data-code")] = value;
    });
    return answers;
  }

  // ---------------------------------------------------------------- checks (shown next to the field)

  function checkQuestion(box, value) {
    var question = byCode[box.getAttribute("data-code")];
    if (value === null || value === undefined) return question.required ? text.required : "";
    if (question.type === "number") {
      var parsed = parseDecimal(value);
      if (parsed.error) return fmt(text[parsed.error], { text: parsed.text });
      var number = parsed.number;
      var low = question.min !== undefined && number < question.min;
      if (low || (question.max !== undefined && number > question.max)) {
        return fmt(text.range, { min: question.min === undefined ? "…" : question.min, max: question.max === undefined ? "…" : question.max });
      }
    }
    if (question.type === "text" && String(value).length > (question.max_length || 1000)) {
      return fmt(text.too_long, { n: question.max_length || 1000 });
    }
    return "";
  }

  var header = {
    form_number: document.getElementById("f-form-number"),
    interviewed_at: document.getElementById("f-interviewed-at"),
    duration: document.getElementById("f-duration"),
    mode: document.getElementById("f-mode"),
    area: document.getElementById("f-area"),
    phone: document.getElementById("f-phone"),
  };
  // Optional: who interviewed (a clerk keying a team-wide assignment) and the household of the work list.
  var interviewerField = document.getElementById("f-interviewer");
  var drawnUnitField = document.getElementById("f-drawn-unit");

  function checkHeader(name) {
    var field = header[name];
    if (!field) return "";
    var value = field.value.trim();
    if (name === "form_number") {
      if (!value && (kind === "verification" || header.mode.value === "paper")) return text.form_number_required;
      if (value.length > 40) return fmt(text.too_long, { n: 40 });
    }
    if (name === "interviewed_at") {
      if (!value) return text.required;
      var when = new Date(value);
      if (isNaN(when.getTime())) return text.date;
      if (when.getTime() > Date.now() + 10 * 60000) return text.future;
    }
    if (name === "duration" && value) {
      if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 600) return fmt(text.range, { min: 1, max: 600 });
    }
    if (name === "phone" && value) {
      var digits = value.replace(/[\s.\-()]/g, "");
      if (!/^\+?\d{9,15}$/.test(digits)) return text.phone;
    }
    return "";
  }

  function fieldBox(field) { return field.closest(".eq, .eh"); }

  function showError(box, message) {
    var slot = box.querySelector(".error-message");
    slot.textContent = message || "";
    box.classList.toggle("has-error", Boolean(message));
    Array.prototype.forEach.call(box.querySelectorAll("input, select"), function (field) {
      if (message) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    });
  }

  function checkBox(box, answers) {
    if (box.hidden) return "";
    var message = box.classList.contains("eh")
      ? checkHeader(box.getAttribute("data-name"))
      : checkQuestion(box, answers[box.getAttribute("data-code")]);
    showError(box, message);
    return message;
  }

  // Every problem of the form, in page order: [{box, label, message}].
  function allProblems() {
    var answers = refresh();
    var problems = [];
    Array.prototype.forEach.call(form.querySelectorAll(".eh, .eq"), function (box) {
      var message = checkBox(box, answers);
      if (message) problems.push({ box: box, label: box.getAttribute("data-label"), message: message });
    });
    return problems;
  }

  var summary = document.getElementById("entry-summary");

  function showSummary(problems) {
    var list = summary.querySelector("ul");
    list.textContent = "";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + p.box.id;
      a.textContent = p.label + ": " + p.message;
      a.addEventListener("click", function (event) {
        event.preventDefault();
        focusBox(p.box);
      });
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.querySelector("[data-count]").textContent = problems.length;
    summary.hidden = problems.length === 0;
  }

  // ---------------------------------------------------------------- keyboard moves

  function boxes() { // visible fields in page order: header fields, then questions
    return Array.prototype.filter.call(form.querySelectorAll(".eh, .eq"), function (box) { return !box.hidden; });
  }

  function focusBox(box) {
    if (!box) {
      document.getElementById("entry-save").focus();
      return;
    }
    var target = box.querySelector("input:checked") || box.querySelector("input, select");
    target.focus();
    if (target.select && (target.type === "text" || target.type === "tel")) target.select();
  }

  function move(from, step) {
    var list = boxes();
    var index = list.indexOf(from);
    var answers = refresh();
    if (step > 0) checkBox(from, answers);
    var next = list[index + step];
    if (step < 0 && !next) return;
    focusBox(next);
  }

  var pendingDigit = null; // {box, digit, timer} while waiting for the second digit of "10".."99"

  function chooseByKey(box, digits) {
    var type = box.getAttribute("data-type");
    var inputs = box.querySelectorAll("input");
    var target = null;
    if (type === "scale") {
      // A scale's keys are its values (1–5, 0 for "don't know"), as printed on the paper form.
      Array.prototype.forEach.call(inputs, function (input) { if (input.value === digits) target = input; });
    } else {
      target = inputs[Number(digits) - 1] || null; // single / multiple: the option's number
    }
    if (!target) {
      showError(box, fmt(text.no_option, { key: digits }));
      return;
    }
    if (type === "multiple") {
      target.checked = !target.checked;
      target.focus();
      changed(box);
      return;
    }
    target.checked = true;
    changed(box);
    move(box, 1);
  }

  function digitKey(box, digit) {
    var count = box.querySelectorAll("input").length;
    var type = box.getAttribute("data-type");
    if (pendingDigit && pendingDigit.box === box) {
      clearTimeout(pendingDigit.timer);
      var both = pendingDigit.digit + digit;
      pendingDigit = null;
      chooseByKey(box, both);
      return;
    }
    // With 10 or more options, "1" may start "10": wait briefly for a second digit.
    if (type !== "scale" && count >= 10 && Number(digit) * 10 <= count && digit !== "0") {
      pendingDigit = {
        box: box,
        digit: digit,
        timer: setTimeout(function () {
          pendingDigit = null;
          chooseByKey(box, digit);
        }, KEY_WAIT_MS),
      };
      return;
    }
    chooseByKey(box, digit);
  }

  form.addEventListener("keydown", function (event) {
    var field = event.target;
    if ((event.key === "Enter" && (event.ctrlKey || event.metaKey)) || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s")) {
      event.preventDefault();
      saveForm();
      return;
    }
    var box = fieldBox(field);
    if (!box) return; // the buttons keep their own keys
    if (event.key === "Enter" || (event.key === "Tab" && !event.altKey)) {
      // Shift+Tab from the first field leaves the form as usual: the keyboard is never trapped.
      if (event.key === "Tab" && event.shiftKey && boxes().indexOf(box) === 0) return;
      event.preventDefault();
      if (pendingDigit && pendingDigit.box === box) {
        clearTimeout(pendingDigit.timer);
        var digit = pendingDigit.digit;
        pendingDigit = null;
        chooseByKey(box, digit);
        return;
      }
      move(box, event.shiftKey ? -1 : 1);
      return;
    }
    var type = box.getAttribute("data-type");
    if ((type === "scale" || type === "single" || type === "multiple") && /^[0-9]$/.test(event.key) && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      digitKey(box, event.key);
    }
  });

  function changed(box) {
    touched = true;
    refresh();
    if (box && box.classList.contains("has-error")) checkBox(box, refresh());
  }

  var touched = false; // the current form has answers not yet saved

  form.addEventListener("change", function (event) { changed(fieldBox(event.target)); });
  // Leaving with a half-keyed form asks first; saved forms are safe in the queue.
  window.addEventListener("beforeunload", function (event) {
    if (!touched) return;
    event.preventDefault();
    event.returnValue = "";
  });
  form.addEventListener("input", function (event) {
    var box = fieldBox(event.target);
    if (!box) return;
    touched = true;
    var answers = refresh();
    // Range and format problems show as soon as they are typed; "needs an answer" only on leaving.
    var type = box.getAttribute("data-type");
    if (type === "number" || box.classList.contains("has-error")) checkBox(box, answers);
    if (box.classList.contains("eh") && box.getAttribute("data-name") === "mode") checkBox(document.getElementById("h-form-number"), answers);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    saveForm();
  });

  // ---------------------------------------------------------------- the current form

  var current = { uuid: newUuid(), startedAt: Date.now() };
  var notice = document.getElementById("entry-notice");

  function say(message, state) {
    notice.textContent = message;
    notice.setAttribute("data-state", state || "info");
  }

  function payloadOf(answers) {
    var typed = {};
    Object.keys(answers).forEach(function (code) {
      var value = answers[code];
      var question = byCode[code];
      if (question.type === "number") {
        typed[code] = String(value).trim(); // as typed: parsed on the server (kit/numbers.py)
      } else {
        typed[code] = value;
      }
    });
    var payload = {
      client_uuid: current.uuid,
      assignment: assignmentId,
      questionnaire: questionnaireId,
      mode: header.mode.value,
      area: Number(header.area.value),
      form_number: header.form_number.value.trim(),
      interviewed_at: new Date(header.interviewed_at.value).toISOString(),
      answers: typed,
    };
    if (header.duration.value.trim()) payload.duration_seconds = Number(header.duration.value.trim()) * 60;
    if (header.phone.value.trim()) payload.respondent_phone = header.phone.value.trim();
    if (interviewerField && interviewerField.value) payload.interviewer = Number(interviewerField.value);
    if (drawnUnitField && drawnUnitField.value) payload.drawn_unit = Number(drawnUnitField.value);
    return payload;
  }

  function clearForm() {
    Array.prototype.forEach.call(form.querySelectorAll(".eq input"), function (input) {
      if (input.type === "radio" || input.type === "checkbox") input.checked = false;
      else input.value = "";
    });
    // Mode and area stay as they were: a clerk enters a pile of forms of one kind from one place.
    header.form_number.value = "";
    header.interviewed_at.value = localNow();
    header.duration.value = "";
    header.phone.value = "";
    if (drawnUnitField && drawnUnitField.value) { // one household per form: the next form is a new one
      drawnUnitField.value = "";
      document.getElementById("h-drawn-unit").hidden = true;
    }
    Array.prototype.forEach.call(form.querySelectorAll(".eh, .eq"), function (box) { showError(box, ""); });
    showSummary([]);
    refresh();
    current = { uuid: newUuid(), startedAt: Date.now() };
    root.removeAttribute("data-editing");
    touched = false;
  }

  function loadItem(item) { // a rejected form back into the page, with the server's messages
    clearForm();
    var p = item.payload;
    current = { uuid: item.client_uuid, startedAt: Date.now() };
    root.setAttribute("data-editing", item.client_uuid);
    header.form_number.value = p.form_number || "";
    var when = new Date(p.interviewed_at);
    header.interviewed_at.value = localDay(when) + "T" + pad(when.getHours()) + ":" + pad(when.getMinutes());
    header.duration.value = p.duration_seconds ? Math.round(p.duration_seconds / 60) : "";
    header.mode.value = p.mode;
    header.area.value = String(p.area);
    header.phone.value = p.respondent_phone || "";
    if (interviewerField && p.interviewer) interviewerField.value = String(p.interviewer);
    if (drawnUnitField && p.drawn_unit) drawnUnitField.value = String(p.drawn_unit);
    Object.keys(p.answers).forEach(function (code) {
      var box = document.getElementById("q-" + code);
      if (!box) return;
      var values = Array.isArray(p.answers[code]) ? p.answers[code] : [p.answers[code]];
      var inputs = box.querySelectorAll("input");
      if (inputs[0].type === "radio" || inputs[0].type === "checkbox") {
        Array.prototype.forEach.call(inputs, function (input) {
          input.checked = values.some(function (v) { return String(v) === input.value; });
        });
      } else {
        inputs[0].value = String(p.answers[code]);
      }
    });
    refresh();
    var problems = allProblems();
    serverProblems(item.errors || {}).forEach(function (p) {
      var box = p.code ? document.getElementById(p.code.indexOf("h-") === 0 ? p.code : "q-" + p.code) : null;
      if (box) showError(box, p.message);
      problems.push({ box: box || form.querySelector(".eh"), label: box ? box.getAttribute("data-label") : "", message: p.message });
    });
    showSummary(problems);
    focusBox(problems.length ? problems[0].box : boxes()[0]);
  }

  var HEADER_IDS = {
    form_number: "h-form-number", interviewed_at: "h-interviewed-at", duration_seconds: "h-duration",
    mode: "h-mode", area: "h-area", respondent_phone: "h-phone",
    interviewer: "h-interviewer", drawn_unit: "h-drawn-unit",
  };

  // {"answers": {"q1": ["msg"]}, "form_number": ["msg"], "non_field_errors": [...]} → [{code, message}].
  function serverProblems(errors) {
    var list = [];
    function messages(value) {
      if (Array.isArray(value)) return value.map(String);
      if (value && typeof value === "object") return Object.keys(value).map(function (k) { return messages(value[k]).join(" "); });
      return [String(value)];
    }
    Object.keys(errors || {}).forEach(function (key) {
      var value = errors[key];
      if (key === "answers" && value && typeof value === "object" && !Array.isArray(value)) {
        Object.keys(value).forEach(function (code) { list.push({ code: code, message: messages(value[code]).join(" ") }); });
      } else {
        list.push({ code: HEADER_IDS[key] || "", message: messages(value).join(" ") });
      }
    });
    return list;
  }

  function saveForm() {
    var problems = allProblems();
    showSummary(problems);
    if (problems.length) {
      say(fmt(text.not_saved, { n: problems.length }), "error");
      summary.focus();
      return;
    }
    var item = {
      client_uuid: current.uuid,
      kind: kind,
      form_number: header.form_number.value.trim(),
      queued_at: new Date().toISOString(),
      state: "waiting",
      errors: null,
      assignment: assignmentId,
      payload: payloadOf(refresh()),
    };
    store.put(item).then(function () {
      say(fmt(text.stored, { form: item.form_number || "—" }), "ok");
      clearForm();
      focusBox(boxes()[0]);
      retryDelay = FIRST_RETRY_MS;
      return showQueue();
    }).then(flush);
  }

  document.getElementById("entry-clear").addEventListener("click", function () {
    if (window.confirm(text.confirm_clear)) {
      clearForm();
      focusBox(boxes()[0]);
    }
  });

  // ---------------------------------------------------------------- the waiting list and sending

  var queueList = document.getElementById("queue-list");
  var waitingCount = document.getElementById("waiting-count");
  var connection = document.getElementById("connection");
  var todayBox = document.getElementById("today-count");
  var serverToday = null; // from the stats endpoint
  var sentSinceStats = 0;
  var queued = [];
  var rendered = null; // what the waiting list shows, to skip needless rebuilds

  function showToday() {
    if (!todayBox) return;
    var today = localDay(new Date());
    var local = queued.filter(function (item) { return localDay(new Date(item.queued_at)) === today; }).length;
    todayBox.textContent = (serverToday === null ? 0 : serverToday) + sentSinceStats + local;
  }

  function fetchStats() {
    if (!statsUrl) return Promise.resolve();
    return fetch(statsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (data) {
        if (data && typeof data.today === "number") {
          serverToday = data.today;
          sentSinceStats = 0;
        }
        showToday();
      })
      .catch(function () { showToday(); });
  }

  function showQueue() {
    return store.all().then(function (items) {
      queued = items.filter(function (item) { return item.kind === kind; });
      queued.sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
      waitingCount.textContent = queued.length;
      root.setAttribute("data-waiting", queued.length);
      document.dispatchEvent(new CustomEvent("entry:queue", { detail: { count: queued.length } })); // offline.js
      // Rebuild the list only when it changed: a button the user has focused must not vanish.
      var signature = JSON.stringify(queued.map(function (i) { return [i.client_uuid, i.state, i.errors]; }));
      if (signature === rendered) {
        showToday();
        return queued;
      }
      rendered = signature;
      queueList.textContent = "";
      queued.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("data-uuid", item.client_uuid);
        li.setAttribute("data-state", item.state);
        var title = document.createElement("span");
        title.className = "queue-form";
        title.textContent = fmt(text.form_label, { form: item.form_number || "—" });
        li.appendChild(title);
        var state = document.createElement("span");
        state.className = "badge " + (item.state === "rejected" ? "late" : "wait");
        state.textContent = item.state === "rejected" ? text.rejected : text.waiting;
        li.appendChild(state);
        if (item.state === "rejected") {
          var errors = document.createElement("ul");
          errors.className = "queue-errors";
          serverProblems(item.errors).forEach(function (p) {
            var e = document.createElement("li");
            var label = p.code && document.getElementById(p.code.indexOf("h-") === 0 ? p.code : "q-" + p.code);
            e.textContent = (label ? label.getAttribute("data-label") + ": " : "") + p.message;
            errors.appendChild(e);
          });
          li.appendChild(errors);
          if (item.assignment === assignmentId) {
            var fix = document.createElement("button");
            fix.type = "button";
            fix.className = "secondary";
            fix.textContent = text.correct;
            fix.setAttribute("data-action", "correct");
            fix.addEventListener("click", function () { loadItem(item); });
            li.appendChild(fix);
          } else {
            var link = document.createElement("a");
            link.href = pageUrl.replace("/0/", "/" + item.assignment + "/") + "?edit=" + item.client_uuid;
            link.textContent = text.correct;
            li.appendChild(link);
          }
          // Only on request (e.g. a form keyed twice by mistake): a rejected form is never dropped silently.
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "secondary";
          drop.textContent = text.remove;
          drop.setAttribute("aria-label", text.remove + " " + title.textContent);
          drop.addEventListener("click", function () {
            if (window.confirm(fmt(text.confirm_remove, { form: item.form_number || "—" }))) {
              store.remove(item.client_uuid).then(showQueue);
            }
          });
          li.appendChild(drop);
        }
        queueList.appendChild(li);
      });
      showToday();
      return queued;
    });
  }

  var sending = false;
  var sendAgain = false;
  var retryTimer = null;
  var retryDelay = FIRST_RETRY_MS;

  function showConnection(state) {
    connection.setAttribute("data-state", state);
    connection.textContent = text["connection_" + state] || "";
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
  }

  // Results for items in order: {status: created|duplicate|invalid|conflict, errors?} or null (not sent).
  function sendItems(items) {
    if (kind === "response" && batchUrl) {
      return postJson(batchUrl, { items: items.map(function (i) { return i.payload; }) }).then(function (reply) {
        if (reply.code === 200 && Array.isArray(reply.data.results)) return { code: 200, results: reply.data.results };
        return { code: reply.code, results: null };
      });
    }
    // Double entry has no batch endpoint: one request per form, stopping at the first outage.
    // A 403 that names the form ("forbidden": not one of your assignments) is an answer about that form;
    // any other 403 is the session (expired, CSRF) and means "try again later".
    function answered(reply) {
      return [200, 201, 400, 409].indexOf(reply.code) >= 0 || (reply.code === 403 && reply.data.status === "forbidden");
    }
    var results = [];
    var chain = Promise.resolve({ code: 200, data: {} });
    items.forEach(function (item) {
      chain = chain.then(function (last) {
        if (!answered(last)) return last;
        return postJson(sendUrl, item.payload).then(function (reply) {
          if (reply.code === 201 || reply.code === 200) results.push({ status: reply.data.status || "created", mismatches: reply.data.mismatches });
          else if (reply.code === 400) results.push({ status: "invalid", errors: reply.data.errors || reply.data });
          else if (reply.code === 409) results.push({ status: "conflict", errors: reply.data.errors || { "": [text.conflict] } });
          else if (answered(reply)) results.push({ status: "forbidden", errors: reply.data.errors || {} });
          return reply;
        });
      });
    });
    return chain.then(function (last) {
      return { code: answered(last) ? 200 : last.code, results: results, partial: !answered(last) };
    });
  }

  function flush() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (sending) {
      sendAgain = true;
      return Promise.resolve();
    }
    sending = true;
    return showQueue().then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "waiting"; }).slice(0, BATCH_SIZE);
      if (!waiting.length) {
        var refused = items.some(function (item) { return item.state === "rejected"; });
        showConnection(navigator.onLine === false ? "offline" : refused ? "rejected" : "idle");
        return false;
      }
      showConnection("sending");
      return sendItems(waiting).then(function (reply) {
        var results = reply.results || [];
        var updates = results.map(function (result, index) {
          var item = waiting[index];
          if (!result) return null;
          if (result.status === "created" || result.status === "duplicate") {
            if (result.status === "created") sentSinceStats += 1;
            if (result.mismatches && result.mismatches.length) {
              say(fmt(text.mismatches, { form: item.form_number, n: result.mismatches.length }), "info");
            }
            return store.remove(item.client_uuid);
          }
          item.state = "rejected";
          var hasErrors = result.errors && Object.keys(result.errors).length > 0;
          item.errors = hasErrors ? result.errors : { "": [result.status === "conflict" ? text.conflict : text.rejected] };
          return store.put(item);
        });
        return Promise.all(updates).then(function () {
          if (reply.code === 200 && !reply.partial) {
            retryDelay = FIRST_RETRY_MS;
            var refused = results.some(function (r) { return r && r.status !== "created" && r.status !== "duplicate"; });
            showConnection(refused ? "rejected" : "sent");
            return waiting.length === BATCH_SIZE; // more to send
          }
          showConnection(reply.code === 403 ? "login" : "retrying");
          scheduleRetry();
          return false;
        });
      }, function () {
        showConnection("offline");
        scheduleRetry();
        return false;
      });
    }).then(function (more) {
      sending = false;
      return showQueue().then(function () {
        if (more || sendAgain) {
          sendAgain = false;
          return flush();
        }
        return fetchStats();
      });
    }, function () {
      sending = false;
    });
  }

  window.addEventListener("online", function () {
    retryDelay = FIRST_RETRY_MS;
    flush();
  });
  window.addEventListener("offline", function () { showConnection("offline"); });
  document.getElementById("queue-send").addEventListener("click", function () {
    retryDelay = FIRST_RETRY_MS;
    flush();
  });
  // Periodic retry even without an "online" event (a captive portal, a server that was down).
  setInterval(function () { if (!retryTimer && !sending) flush(); }, PERIODIC_MS);

  // ---------------------------------------------------------------- start

  header.interviewed_at.value = localNow();
  header.area.value = header.area.value || defaultArea;
  refresh();
  var editing = new URLSearchParams(window.location.search).get("edit");
  showQueue().then(function (items) {
    var item = editing && items.filter(function (i) { return i.client_uuid === editing; })[0];
    if (item) loadItem(item);
    else focusBox(boxes()[0]);
    root.setAttribute("data-ready", "1");
    return fetchStats().then(flush);
  });
})();
