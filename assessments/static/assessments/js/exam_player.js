/* Exam player: autosave with sequence numbers, offline queue, server-timed countdown.
 *
 * Every change gets a higher per-question seq and goes into a queue kept in localStorage, so a
 * reload or a dropped network loses nothing. The queue is flushed when the network returns; the
 * server refuses stale seqs (another tab) and anything after the deadline. The countdown starts
 * from the server's seconds_remaining, never from the phone's clock.
 */
(function () {
  "use strict";
  var root = document.getElementById("exam-player");
  var configEl = document.getElementById("exam-config");
  if (!root || !configEl) { return; }
  var cfg = JSON.parse(configEl.textContent);
  var msg = cfg.messages;
  var storeKey = "ga-exam-queue-" + cfg.attempt;
  var questions = Array.prototype.slice.call(root.querySelectorAll(".question"));
  var byId = {};
  questions.forEach(function (el) { byId[el.dataset.qid] = el; });
  var saveState = root.querySelector("[data-save-state]");
  var notice = root.querySelector("[data-notice]");
  var countdownEl = root.querySelector("[data-countdown]");
  var finished = false;
  var inflight = {};
  var timers = {};

  function fmt(template, n) { return template.replace("%(n)s", n); }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  var queue = load();
  function persist() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* private mode: memory only */ }
  }

  function seqOf(qid) {
    var el = byId[qid];
    var server = parseInt(el.dataset.seq || "0", 10);
    var local = queue[qid] ? queue[qid].seq : 0;
    return Math.max(server, local);
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function readAnswer(el) {
    var type = el.dataset.type;
    var inputs = el.querySelectorAll("input, textarea");
    if (type === "single") {
      var checked = el.querySelector("input:checked");
      return checked ? parseInt(checked.value, 10) : null;
    }
    if (type === "multiple") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return parseInt(i.value, 10); });
    }
    if (type === "true_false") {
      var tf = el.querySelector("input:checked");
      return tf ? tf.value === "true" : null;
    }
    return inputs[0].value;
  }

  function writeAnswer(el, value) {
    var type = el.dataset.type;
    var inputs = el.querySelectorAll("input, textarea");
    if (type === "single") {
      inputs.forEach(function (i) { i.checked = value !== null && parseInt(i.value, 10) === value; });
    } else if (type === "multiple") {
      var set = value || [];
      inputs.forEach(function (i) { i.checked = set.indexOf(parseInt(i.value, 10)) !== -1; });
    } else if (type === "true_false") {
      inputs.forEach(function (i) { i.checked = value !== null && (i.value === "true") === value; });
    } else {
      inputs[0].value = value === null || value === undefined ? "" : value;
    }
  }

  function hasAnswer(el) {
    var v = readAnswer(el);
    return !(v === null || v === "" || (Array.isArray(v) && v.length === 0));
  }

  function refreshIndicators() {
    var pending = Object.keys(queue).length;
    questions.forEach(function (el, index) {
      var qid = el.dataset.qid;
      var dot = root.querySelector('[data-goto="' + index + '"]');
      var isPending = !!queue[qid];
      el.querySelector(".unsaved-mark").hidden = !isPending;
      if (dot) {
        dot.classList.toggle("pending", isPending);
        dot.classList.toggle("answered", !isPending && hasAnswer(el));
      }
    });
    saveState.classList.remove("pending", "offline");
    if (!pending) {
      saveState.textContent = msg.saved;
    } else if (!navigator.onLine) {
      saveState.classList.add("offline");
      saveState.textContent = fmt(msg.offline, pending);
    } else {
      saveState.classList.add("pending");
      saveState.textContent = fmt(msg.unsaved, pending);
    }
  }

  function stop(text) {
    finished = true;
    queue = {};
    persist();
    showNotice(text);
    root.querySelectorAll("input, textarea, button").forEach(function (i) { i.disabled = true; });
    window.setTimeout(function () { window.location.href = cfg.result; }, 2500);
  }

  function send(qid) {
    var entry = queue[qid];
    if (!entry || inflight[qid] || finished) { return Promise.resolve(); }
    if (!navigator.onLine) { refreshIndicators(); return Promise.resolve(); }
    inflight[qid] = true;
    var sentSeq = entry.seq;
    return fetch(cfg.api + "answers/" + qid + "/", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify({ answer: entry.answer, seq: entry.seq })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        inflight[qid] = false;
        var el = byId[qid];
        var err = el.querySelector(".question-error");
        if (resp.ok) {
          el.dataset.seq = String(body.seq);
          if (queue[qid] && queue[qid].seq <= sentSeq) { delete queue[qid]; }
          err.hidden = true;
        } else if (resp.status === 409 && body.code === "stale_seq") {
          // Another tab saved a newer answer: show it, and continue from its seq.
          el.dataset.seq = String(body.current_seq);
          delete queue[qid];
          if (body.answer !== undefined) { writeAnswer(el, body.answer); }
          showNotice(msg.stale);
        } else if (resp.status === 409 && body.code === "deadline_passed") {
          stop(msg.deadline);
        } else if (resp.status === 409) {
          stop(body.detail || msg.closed);
        } else if (resp.status >= 400 && resp.status < 500) {
          delete queue[qid];
          err.textContent = body.detail || "";
          err.hidden = false;
        }
        persist();
        refreshIndicators();
        if (queue[qid] && queue[qid].seq > sentSeq) { return send(qid); }
        return undefined;
      });
    }).catch(function () {
      // Network down or server unreachable: keep it queued; "online" or the timer resends.
      inflight[qid] = false;
      refreshIndicators();
    });
  }

  function flush() {
    return Promise.all(Object.keys(queue).map(send));
  }

  function changed(el, debounce) {
    if (finished) { return; }
    var qid = el.dataset.qid;
    var record = function () {
      queue[qid] = { answer: readAnswer(el), seq: seqOf(qid) + 1 };
      persist();
      refreshIndicators();
      send(qid);
    };
    window.clearTimeout(timers[qid]);
    if (debounce) { timers[qid] = window.setTimeout(record, 700); } else { record(); }
  }

  questions.forEach(function (el) {
    el.addEventListener("change", function () { changed(el, false); });
    el.addEventListener("input", function (ev) {
      if (ev.target.tagName === "TEXTAREA" || ev.target.type === "text") { changed(el, true); }
    });
  });

  // Answers queued before a reload or while offline: show them again and resend.
  Object.keys(queue).forEach(function (qid) {
    if (!byId[qid] || queue[qid].seq <= parseInt(byId[qid].dataset.seq || "0", 10)) {
      delete queue[qid];
    } else {
      writeAnswer(byId[qid], queue[qid].answer);
    }
  });
  persist();

  window.addEventListener("online", function () { refreshIndicators(); flush(); });
  window.addEventListener("offline", refreshIndicators);
  window.setInterval(function () { if (navigator.onLine) { flush(); } }, 10000);
  window.addEventListener("beforeunload", function (ev) {
    if (!finished && Object.keys(queue).length) { ev.preventDefault(); ev.returnValue = msg.leave; }
  });

  // One question per screen.
  var current = 0;
  var pager = root.querySelector("[data-pager]");
  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (el, i) { el.classList.toggle("current", i === current); });
    root.querySelectorAll("[data-goto]").forEach(function (b, i) { b.classList.toggle("current", i === current); });
    root.querySelector("[data-page-label]").textContent = (current + 1) + " / " + questions.length;
    root.querySelector("[data-prev]").disabled = current === 0;
    root.querySelector("[data-next]").disabled = current === questions.length - 1;
  }
  if (cfg.layout === "one") {
    root.classList.add("js");
    pager.hidden = false;
    root.querySelector("[data-prev]").addEventListener("click", function () { show(current - 1); });
    root.querySelector("[data-next]").addEventListener("click", function () { show(current + 1); });
    show(0);
  }
  root.querySelectorAll("[data-goto]").forEach(function (b) {
    b.addEventListener("click", function () {
      var i = parseInt(b.dataset.goto, 10);
      if (cfg.layout === "one") { show(i); } else { questions[i].scrollIntoView({ behavior: "smooth" }); }
    });
  });

  // Submit: send what is queued first, then ask the server to submit (idempotent).
  function submit(confirmFirst) {
    if (finished) { return; }
    if (confirmFirst && !window.confirm(msg.confirm)) { return; }
    var button = root.querySelector("[data-submit]");
    button.disabled = true;
    button.textContent = msg.submitting;
    flush().then(function () {
      return fetch(cfg.submit, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }
      });
    }).then(function (resp) {
      if (!resp.ok) { throw new Error(String(resp.status)); }
      finished = true;
      queue = {};
      persist();
      window.location.href = cfg.result;
    }).catch(function () {
      button.disabled = false;
      button.textContent = msg.submit_failed;
    });
  }
  root.querySelector("[data-submit]").addEventListener("click", function () { submit(true); });

  // Countdown from the server's remaining seconds (the phone's clock may be wrong).
  if (cfg.remaining !== null && cfg.remaining !== undefined) {
    var endsAt = Date.now() + cfg.remaining * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var h = Math.floor(left / 3600);
      var m = Math.floor((left % 3600) / 60);
      var s = left % 60;
      countdownEl.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      countdownEl.classList.toggle("low", left <= 60);
      if (left === 0 && !finished) {
        window.clearInterval(timer);
        showNotice(msg.time_up);
        submit(false);
      }
    };
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  refreshIndicators();
  flush();
})();
