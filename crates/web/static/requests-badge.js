// Keeps the office's "Requests" badge (the number of New requests) current without a
// reload: the server sends the count on connect and whenever it changes. Without
// JavaScript or EventSource the badge simply shows the count of the page load.
(function () {
  "use strict";
  var badge = document.querySelector("[data-request-badge]");
  var count = badge && badge.querySelector("[data-request-count]");
  if (!count || typeof window.EventSource !== "function") {
    return;
  }
  var source = new window.EventSource("/office/requests/events");
  source.addEventListener("count", function (event) {
    var n = parseInt(event.data, 10);
    if (isNaN(n) || n < 0) {
      return;
    }
    count.textContent = String(n);
    badge.hidden = n === 0;
  });
  // Leaving the page closes the stream at once instead of waiting for the server to notice.
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
