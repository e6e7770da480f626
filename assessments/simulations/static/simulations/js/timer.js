// Shows the seconds left for a timed decision. The server measures the real elapsed time;
// this countdown is only a hint for the learner.
(function () {
  var el = document.querySelector(".sim-timer");
  if (!el) return;
  var limit = parseInt(el.getAttribute("data-limit"), 10);
  var entered = parseInt(el.getAttribute("data-entered"), 10) * 1000;
  var base = el.textContent;
  function tick() {
    var left = Math.max(0, Math.round(limit - (Date.now() - entered) / 1000));
    el.textContent = base + " (" + left + "s)";
    if (left > 0) window.setTimeout(tick, 1000);
  }
  tick();
})();
