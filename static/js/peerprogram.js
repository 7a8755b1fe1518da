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
