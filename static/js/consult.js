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
})();
