/* Cổng tham vấn và tra cứu quy định kinh doanh — small progressive enhancements.
   Every page works without this file. MIT licence, like the rest of the portal. */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary[data-autofocus]");
    if (summary) {
      summary.focus();
    }
  }

  // Fields that apply only to some kinds of member (data-for="business association …").
  function memberTypeFields() {
    var radios = document.querySelectorAll("input[name='member_type']");
    if (!radios.length) {
      return;
    }
    var groups = document.querySelectorAll("[data-for]");
    function update() {
      var chosen = document.querySelector("input[name='member_type']:checked");
      var value = chosen ? chosen.value : "";
      groups.forEach(function (group) {
        var kinds = group.getAttribute("data-for").split(" ");
        var hasError = group.classList.contains("has-error");
        group.hidden = kinds.indexOf(value) === -1 && !hasError;
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  // A link in the error summary moves focus to its field, not just the scroll position.
  function summaryLinks() {
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
        (input || target).focus();
        target.scrollIntoView({ block: "center" });
      });
    });
  }

  // Buttons that ask before an irreversible action (data-confirm="…").
  function confirmButtons() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  function printLinks() {
    document.querySelectorAll("[data-print]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        window.print();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    printLinks();
    memberTypeFields();
    summaryLinks();
    confirmButtons();
    focusErrorSummary();
  });
})();
