// A job's page: asks the status endpoint once a second and shows progress, the error or the download link.
// Without JavaScript the page refreshes itself (<noscript> meta refresh) and shows the same.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") return;
  var url = box.dataset.statusUrl;
  function show(status) {
    document.getElementById("job-state").textContent = status.state_label;
    document.getElementById("job-progress").value = status.progress;
    document.getElementById("job-percent").textContent = status.progress + "%";
    document.getElementById("job-message").textContent = status.message;
    var error = document.getElementById("job-error");
    error.textContent = status.error;
    error.hidden = !status.error;
    if (status.download_url) {
      document.getElementById("job-download-link").href = status.download_url;
      document.getElementById("job-download").hidden = false;
    }
    box.dataset.state = status.state;
    if (status.state === "done" || status.state === "failed") {
      var wait = document.getElementById("job-wait");
      if (wait) wait.hidden = true;
      if (status.state === "failed") window.location.reload();  // shows "Run again" from the server
      return true;
    }
    return false;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) { if (!show(status)) window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
