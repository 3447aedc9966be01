// The respondent's questionnaire: skip rules applied live, the progress count, and autosave of the draft.
// Plain JavaScript, no framework. The server re-checks everything (surveys/services/answers.py); without
// JavaScript the page still works through its two buttons.
(function () {
  "use strict";

  var form = document.getElementById("survey");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question"));
  var statusBox = document.getElementById("save-status");
  var progressBar = document.getElementById("progress-bar");
  var answeredBox = document.querySelector("[data-progress-answered]");
  var requiredBox = document.querySelector("[data-progress-required]");
  var csrfField = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfField ? csrfField.value : "";
  var saveUrl = form.getAttribute("data-save-url");  // empty on the coordinator's preview: nothing is saved
  var openedUrl = form.getAttribute("data-opened-url");

  var DEBOUNCE_MS = 800;
  var FIRST_RETRY_MS = 2000;
  var MAX_RETRY_MS = 60000;
  var timer = null;
  var retryDelay = FIRST_RETRY_MS;
  var inFlight = false;
  var again = false; // a change arrived while a save was in flight
  var dirty = false; // changes not yet acknowledged by the server
  var submitting = false;

  var headings = Array.prototype.slice.call(form.querySelectorAll(".group-title[data-relevant]"));
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-section-relevant]"));

  function valueOf(question) {
    var type = question.getAttribute("data-type");
    if (type === "note") return null;
    if (type === "multiple") {
      var checked = question.querySelectorAll("input:checked");
      return Array.prototype.map.call(checked, function (input) { return input.value; });
    }
    if (type === "scale" || type === "single") {
      var chosen = question.querySelector("input:checked");
      return chosen ? chosen.value : null;
    }
    var field = question.querySelector("input, textarea");
    var text = field.value.trim();
    return text === "" ? null : text;
  }

  function isAnswered(value) {
    return value !== null && !(Array.isArray(value) && value.length === 0);
  }

  var conditionMet = window.SurveyConditions.conditionMet;  // static/surveys/conditions.js
  var holds = window.SurveyConditions.holds;

  // A question shows when its show_if rule and its relevant expression (with its section's and group's
  // conditions) hold for the answers given so far; an expression the page cannot read shows the question.
  function shows(element, answers) {
    var rule = element.getAttribute("data-show-if");
    var condition = rule ? JSON.parse(rule) : null;
    if (condition && !conditionMet(condition, answers[condition.question])) return false;
    var expression = element.getAttribute("data-relevant");
    if (!expression) return true;
    try {
      return holds(expression, answers);
    } catch (error) {
      return true; // the server checks again; never hide a question because of a script problem
    }
  }

  function setVisible(question, visible) {
    if (question.hidden === !visible) return;
    question.hidden = !visible;
    // Disabled fields are skipped by the keyboard and left out of the form post.
    Array.prototype.forEach.call(question.querySelectorAll("input, textarea"), function (field) {
      field.disabled = !visible;
    });
  }

  // Apply skip rules in order (a hidden question's answer never shows a later one) and count progress.
  function refresh() {
    var answers = {};
    var required = 0;
    var answered = 0;
    questions.forEach(function (question) {
      var visible = shows(question, answers);
      setVisible(question, visible);
      if (!visible) return;
      var value = valueOf(question);
      if (isAnswered(value)) answers[question.getAttribute("data-code")] = value;
      if (question.getAttribute("data-required") === "1") {
        required += 1;
        if (isAnswered(value)) answered += 1;
      }
    });
    headings.forEach(function (heading) { heading.hidden = !shows(heading, answers); });
    sections.forEach(function (section) {
      var expression = section.getAttribute("data-section-relevant");
      try { section.hidden = !holds(expression, answers); } catch (error) { section.hidden = false; }
    });
    answeredBox.textContent = answered;
    requiredBox.textContent = required;
    progressBar.max = Math.max(required, 1);
    progressBar.value = answered;
    return answers;
  }

  function showStatus(state, time) {
    var text = statusBox.getAttribute("data-" + state) || "";
    statusBox.setAttribute("data-state", state);
    statusBox.textContent = text.replace("%(time)s", time || "");
  }

  function showError(question, message) {
    var box = question.querySelector(".error-message");
    box.textContent = message || "";
    question.classList.toggle("has-error", Boolean(message));
    Array.prototype.forEach.call(question.querySelectorAll("input, textarea"), function (field) {
      if (message) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  function retry() {
    showStatus("retrying");
    schedule(retryDelay);
    retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
  }

  function save() {
    timer = null;
    if (submitting || !saveUrl) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    dirty = false;
    showStatus("saving");
    fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ answers: refresh() }),
    })
      .then(function (reply) {
        return reply.json().catch(function () { return {}; }).then(function (data) {
          return { code: reply.status, data: data };
        });
      })
      .then(function (reply) {
        inFlight = false;
        if (reply.code === 200) {
          retryDelay = FIRST_RETRY_MS;
          var errors = reply.data.errors || {};
          questions.forEach(function (question) {
            var message = errors[question.getAttribute("data-code")];
            if (message) showError(question, message);
          });
          showStatus("saved", reply.data.saved_at);
        } else if (reply.code === 409 || reply.code === 410) {
          window.location.reload(); // submitted in another tab, or the survey closed: the page says so
          return;
        } else if (reply.code === 400) {
          showStatus("invalid");
        } else {
          dirty = true;
          retry();
          return;
        }
        if (again) {
          again = false;
          save();
        }
      })
      .catch(function () {
        inFlight = false;
        dirty = true;
        retry();
      });
  }

  function changed(event) {
    var question = event.target.closest(".question");
    if (!question) return;
    showError(question, ""); // the respondent is answering it; the server says again if still wrong
    refresh();
    dirty = true;
    retryDelay = FIRST_RETRY_MS;
    schedule(DEBOUNCE_MS);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);

  form.addEventListener("submit", function (event) {
    if (submitting) {
      event.preventDefault(); // a double click sends once (the server would answer "already sent" anyway)
      return;
    }
    submitting = true;
    clearTimeout(timer);
  });

  // Leaving with an unsaved change: send it as an ordinary form post that survives the page closing.
  window.addEventListener("pagehide", function () {
    if (submitting || !saveUrl || !(dirty || timer) || !navigator.sendBeacon) return;
    refresh();
    navigator.sendBeacon(saveUrl, new FormData(form));
  });

  // The script runs, so a person opened the link (a mail scanner's bare GET runs no script).
  if (openedUrl) {
    fetch(openedUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken } })
      .catch(function () { /* the first autosave records it too */ });
  }

  refresh();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
