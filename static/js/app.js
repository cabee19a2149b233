// Outreach's own small script: CSRF header for htmx, steppers, and focus after swaps.
// No inline scripts and no eval (CSP script-src 'self').
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx 4: every non-GET request carries the CSRF token in a header.
  document.addEventListener("htmx:config:request", function (event) {
    var request = event.detail && event.detail.ctx && event.detail.ctx.request;
    if (request && !/^(GET|HEAD)$/i.test(request.method || "")) {
      request.headers["X-CSRFToken"] = csrfToken();
    }
  });

  // While the logout is on its way, reading requests (the badge's polling) wait: a poll
  // answered after the logout would send the browser to the login page, cutting short the way
  // out through the kommun's identity provider. outbox.js sends the logout, and says so here.
  var leaving = 0;
  window.outreachLeaving = function () {
    leaving = Date.now();
  };

  // Without a connection, reading requests (the notification badge's polling) wait for it
  // instead of failing; they run again at their next turn.
  document.addEventListener("htmx:before:request", function (event) {
    var request = event.detail && event.detail.ctx && event.detail.ctx.request;
    var reading = request && /^GET$/i.test(request.method || "GET");
    if (reading && (!navigator.onLine || Date.now() - leaving < 10000)) {
      event.preventDefault();
    }
  });

  function groupSum(form, group) {
    var total = 0;
    form.querySelectorAll('.stepper[data-group="' + group + '"] input.count').forEach(function (input) {
      total += parseInt(input.value, 10) || 0;
    });
    return total;
  }

  function step(button) {
    var input = document.getElementById(button.getAttribute("data-for"));
    if (!input) return;
    var min = parseInt(input.getAttribute("min"), 10) || 0;
    var max = parseInt(input.getAttribute("max"), 10) || 999;
    var value = (parseInt(input.value, 10) || 0) + parseInt(button.getAttribute("data-step"), 10);
    input.value = Math.max(min, Math.min(max, value));
    // Counts by gender or age never exceed the number of youths: raise it to match.
    var stepper = button.closest(".stepper");
    var group = stepper && stepper.getAttribute("data-group");
    var form = button.closest("form");
    var fieldset = button.closest("fieldset[data-total]");
    if (group && form && fieldset) {
      var total = document.getElementById(fieldset.getAttribute("data-total"));
      var sum = groupSum(form, group);
      if (total && sum > (parseInt(total.value, 10) || 0)) total.value = sum;
    }
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.step");
    if (button) {
      event.preventDefault();
      step(button);
    }
    if (event.target.closest("button[data-print]")) window.print();
    // The header's "More" menu closes when the user taps anywhere else.
    var more = document.querySelector(".site-header .more details[open]");
    if (more && !more.contains(event.target)) more.open = false;
  });

  // ...when the focus moves on to another control (Tab; a tap on a link that takes no focus,
  // as in Safari, is left to the click), and on Escape inside it (the focus back on its button).
  document.addEventListener("focusout", function (event) {
    var more = event.target.closest && event.target.closest(".site-header .more details[open]");
    if (more && event.relatedTarget && !more.contains(event.relatedTarget)) more.open = false;
  });
  document.addEventListener("keydown", function (event) {
    var more = event.key === "Escape" && event.target.closest(".site-header .more details[open]");
    if (!more) return;
    more.open = false;
    more.querySelector("summary").focus();
  });

  // After a form is swapped in, move focus to its first error, or to its success message.
  document.addEventListener("htmx:after:swap", function (event) {
    var old = event.detail && event.detail.ctx && event.detail.ctx.target;
    if (!old || old.tagName !== "FORM" || !old.id) return;
    var form = document.getElementById(old.id);
    if (form) focusAnswer(form);
  });

  // The focus on a form's first error, or on its success message. outbox.js calls it too,
  // for the form the server answered a queued contact with.
  function focusAnswer(form) {
    var first = form.querySelector(".form-errors, .has-error input, .has-error select, .has-error textarea, .flash.success");
    if (!first) return;
    if (!/INPUT|SELECT|TEXTAREA/.test(first.tagName)) first.setAttribute("tabindex", "-1");
    first.focus();
  }
  window.outreachFocusAnswer = focusAnswer;
})();
