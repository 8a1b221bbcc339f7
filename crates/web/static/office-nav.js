// The office navigation's menus (Billing, Settings, and the phone's Menu) are <details>:
// they open and close without JavaScript. With it, a menu also closes on Escape (focus goes
// back to its toggle) and when someone clicks or tabs elsewhere.
(function () {
  "use strict";
  var nav = document.querySelector(".office-nav");
  if (!nav) {
    return;
  }
  var groups = nav.querySelectorAll("details.office-group");
  function closeAll(except) {
    for (var i = 0; i < groups.length; i += 1) {
      if (groups[i] !== except && !groups[i].contains(except)) {
        groups[i].open = false;
      }
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = event.target.closest && event.target.closest("details.office-group[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    closeAll(event.target.closest ? event.target.closest("details.office-group") : null);
  });
  document.addEventListener("focusin", function (event) {
    closeAll(event.target.closest ? event.target.closest("details.office-group") : null);
  });
})();
