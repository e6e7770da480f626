// Reload an export's progress page every few seconds until the file is ready.
(function () {
  const el = document.querySelector("[data-hr-refresh]");
  if (!el) return;
  const seconds = parseInt(el.getAttribute("data-hr-refresh"), 10) || 3;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
