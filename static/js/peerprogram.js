// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Live yearly cost and low-hours warning next to an hours-per-week input.
  document.querySelectorAll("input[data-cost-per-hour]").forEach(function (input) {
    var form = input.form;
    var box = form && form.querySelector("[data-hours-feedback]");
    if (!box) { return; }
    var cost = box.querySelector("[data-cost-label]");
    var warning = box.querySelector("[data-low-hours]");
    var rate = parseInt(input.dataset.costPerHour, 10);
    var minimum = parseInt(input.dataset.recommendedMin, 10);
    var lang = document.documentElement.lang === "en" ? "en-GB" : "da-DK";
    function update() {
      var hours = parseInt(input.value, 10);
      if (isNaN(hours) || hours < 1) {
        cost.textContent = "";
        warning.classList.add("d-none");
        return;
      }
      cost.textContent = cost.dataset.costLabel + ": " +
        (hours * rate).toLocaleString(lang) + " kr.";
      warning.classList.toggle("d-none", hours >= minimum);
    }
    input.addEventListener("input", update);
    update();
  });
})();

// Copy a note's plain text to the clipboard (the text is selectable without this too).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = document.getElementById(button.dataset.copyTarget);
      box.select();
      var done = function () { button.textContent = button.dataset.copiedLabel; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(box.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();

// A refused form: focus the error summary at the top, and let each of its links put the
// focus in its field (a link to an id only scrolls).
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  // The server lists the errors in the form's order; the page may lay the fields out in
  // another: list them as they come on the page.
  var list = summary.querySelector("ul");
  var items = Array.prototype.slice.call(list.children);
  function place(item) {
    var link = item.querySelector("a[data-error-link]");
    return link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
  }
  items.sort(function (a, b) {
    var x = place(a), y = place(b);
    if (!x || !y) { return (x ? 1 : 0) - (y ? 1 : 0); }  // the form's own errors first
    return x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  });
  items.forEach(function (item) { list.appendChild(item); });
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-error-link]");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();

// A wide table scrolls sideways in its box: the box takes the keyboard focus (arrow keys
// scroll it) and is named by the table's caption, but only while it does scroll.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.dataset.fixedRegion === undefined && box.hasAttribute("tabindex")) {
        box.dataset.fixedRegion = "1";  // the template made it a region itself
      }
      if (box.dataset.fixedRegion === "1") { return; }
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = box.querySelector("caption");
        var name = caption ? caption.textContent.trim() : (document.querySelector("h1") || {}).textContent;
        if (name) { box.setAttribute("aria-label", name.trim()); }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
  document.body.addEventListener("htmx:afterSettle", mark);
})();

// After an in-place change (htmx) the focus stays where it was: on the new copy of the
// element that had it (a checklist's tick button), or, when that element is gone (a
// "Held" button once the check-in is logged), on the changed part of the page instead of
// the page's top.
(function () {
  "use strict";
  var focusedId = "";
  document.body.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focusedId = active && active !== document.body ? active.id : "";
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var old = event.detail.target || event.detail.elt;
    if (!old || old.closest("[aria-live]")) { return; }  // an announcement, not the work
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) { return; }
    // An outerHTML swap replaced the target: its successor has the same id.
    var target = (focusedId && document.getElementById(focusedId)) ||
      (old.id ? document.getElementById(old.id) : old);
    if (!target || !document.body.contains(target)) { return; }
    if (!target.matches("a, button, input, select, textarea") && !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  });
})();

// A step of a flow (co-writing's first step) starts in its first field, unless a refused
// form's error summary has taken the focus.
(function () {
  "use strict";
  var box = document.querySelector("[data-focus-first]");
  if (!box || document.querySelector("[data-error-summary]")) { return; }
  var field = box.querySelector("input:not([type=hidden]), select, textarea");
  if (field) { field.focus(); }
})();

// A table shown as cards on a phone (table.stack-sm in peerprogram.css) stays a table for
// screen readers: Chromium and Firefox keep its semantics when its display changes, Safari
// has been known to drop them, so the table's roles are written out. Rows that htmx puts in
// later (a checklist's ticked task) get them too.
(function () {
  "use strict";
  var ROLES = [
    ["thead, tbody, tfoot", "rowgroup"],
    ["tr", "row"],
    ["th[scope=col]", "columnheader"],
    ["th[scope=row]", "rowheader"],
    ["td", "cell"]
  ];
  function addRoles(table) {
    table.setAttribute("role", "table");
    ROLES.forEach(function (pair) {
      table.querySelectorAll(pair[0]).forEach(function (element) {
        if (element.closest("table") === table && !element.hasAttribute("role")) {
          element.setAttribute("role", pair[1]);
        }
      });
    });
  }
  function scan(root) {
    var table = root.closest && root.closest("table.stack-sm");
    if (table) { addRoles(table); }
    if (root.querySelectorAll) { root.querySelectorAll("table.stack-sm").forEach(addRoles); }
  }
  scan(document);
  // htmx (loaded deferred, after this file) says "htmx:load" on each piece it puts in.
  document.body.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
