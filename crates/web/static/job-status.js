// Keeps the portal's job statuses current without a reload: the server sends each status
// move of the account's jobs as it happens (read from the database, so from any server).
// Each badge marked data-job-status="NUMBER" takes the new status; on a job's page the
// "since" time and the timeline list (data-job-timeline="NUMBER") follow. Without
// JavaScript or EventSource the page shows the status of its load.
(function () {
  "use strict";
  var badges = document.querySelectorAll("[data-job-status]");
  if (badges.length === 0 || typeof window.EventSource !== "function") {
    return;
  }
  function each(selector, number, fn) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) {
      var attr = selector.slice(1, -1);
      if (nodes[i].getAttribute(attr) === number) {
        fn(nodes[i]);
      }
    }
  }
  var source = new window.EventSource("/jobs/events");
  // Marks the page while the stream is open (and for tests to wait on).
  source.addEventListener("open", function () {
    document.documentElement.setAttribute("data-job-stream", "open");
  });
  source.addEventListener("status", function (event) {
    var move;
    try {
      move = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!move || typeof move.number !== "string") {
      return;
    }
    each("[data-job-status]", move.number, function (badge) {
      badge.textContent = move.label;
      badge.className = move.class;
    });
    each("[data-job-status-at]", move.number, function (at) {
      at.textContent = "since " + move.at;
    });
    each("[data-job-timeline]", move.number, function (list) {
      if (list.querySelector('[data-move-id="' + String(move.id) + '"]')) {
        return;
      }
      var item = document.createElement("li");
      item.setAttribute("data-move-id", String(move.id));
      var label = document.createElement("strong");
      label.textContent = move.label;
      item.appendChild(label);
      item.appendChild(document.createTextNode(" · " + move.at));
      list.appendChild(item);
      var empty = list.parentNode && list.parentNode.querySelector("[data-timeline-empty]");
      if (empty) {
        empty.hidden = true;
      }
    });
  });
  // Leaving the page closes the stream at once instead of waiting for the server to notice.
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
