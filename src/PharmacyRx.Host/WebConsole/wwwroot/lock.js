// The shared counter's lock (ConsoleLock): after the idle time the page's <meta name="console-lock-after"> names, the
// screen locks itself (the lock form in the header posts) so no patient information stays on it. While the person
// types or clicks, the server is told at most every 20 s, so its own idle clock (which enforces the lock) agrees.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name='console-lock-after']");
  var form = document.getElementById("lock-form");
  if (!meta || !form) { return; }
  var lockAfter = parseInt(meta.getAttribute("content"), 10) * 1000;
  if (!(lockAfter > 0)) { return; }
  var lastActivity = Date.now();
  var lastTold = Date.now();
  function active() {
    lastActivity = Date.now();
    if (lastActivity - lastTold > 20000 && window.fetch) {
      lastTold = lastActivity;
      fetch("/lock?handler=Alive", { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { if (response.status === 401) { lock(); } })
        .catch(function () { /* the next activity tries again */ });
    }
  }
  function lock() {
    form.querySelector("input[name='return']").value = window.location.pathname + window.location.search;
    form.submit();
  }
  ["keydown", "pointerdown", "input", "scroll", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, active, { passive: true, capture: true });
  });
  window.setInterval(function () {
    if (Date.now() - lastActivity >= lockAfter) { lock(); }
  }, 1000);
}());
