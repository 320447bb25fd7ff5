// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so keyboard and screen-reader users start from the problems.
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  });

  // A link in the error summary focuses its field (the browser would only scroll to it); for a group of
  // radio buttons, the first one.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    var control = target.matches("input, select, textarea, button") ? target
      : target.querySelector("input, select, textarea, button");
    if (control) {
      event.preventDefault();
      control.focus();
      target.scrollIntoView({block: "center"});
    }
  });

  // A compilation's progress bar follows its job without reloading the page; when the job ends, the page
  // reloads once to show its result. Without this file, the page refreshes itself every few seconds.
  function followJob(box) {
    var url = box.getAttribute("data-job-status");
    var bar = box.querySelector("progress");
    function field(name, text) {
      var element = box.querySelector("[data-job-field='" + name + "']");
      if (element) {
        element.textContent = text;
      }
    }
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) {
            return;
          }
          if (bar) {
            bar.value = job.progress;
            bar.textContent = job.progress + " %";
          }
          field("progress", job.progress + " %");
          field("state_label", job.state_label);
          field("stage_label", job.stage_label);
          field("counts", job.total ? "(" + job.done + " / " + job.total + ")" : "");
          if (job.active) {
            window.setTimeout(poll, 1500);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-job-status]");
    for (var i = 0; i < boxes.length; i += 1) {
      followJob(boxes[i]);
    }
  });
})();
