/* The survey page's own script: no framework, no third party. The page works without
   it; with it, a response waits in the browser until the server has acknowledged it,
   answers survive the language switch, and a kiosk returns to the start by itself. */
(function () {
  "use strict";
  var QUEUE = "sipas.queue";
  var PAGE_FIELDS = ["token", "response_id", "form_id", "form_version", "page", "action", "sector"];

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); }
  function enqueue(body) {
    var items = load().filter(function (it) { return it.id !== body.id; });
    items.push({ id: body.id, body: body });
    save(items);
  }
  function dequeue(id) { save(load().filter(function (it) { return it.id !== id; })); }

  /* "done" once the server has the response (201, 200, or 409: this id is taken),
     "refused" when it never will (410, 4xx), "retry" when it may later. */
  function send(item) {
    return fetch("/api/v1/responses", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(item.body)
    }).then(function (r) {
      if (r.status === 200 || r.status === 201 || r.status === 409) return "done";
      if (r.status === 429 || r.status >= 500) return "retry";
      return "refused";
    }, function () { return "retry"; });
  }

  var delay = 2000, timer = null, onResult = null;
  function flush() {
    clearTimeout(timer); timer = null;
    var items = load(), pending = items.length;
    if (!pending) return;
    items.forEach(function (item) {
      send(item).then(function (result) {
        if (result !== "retry") dequeue(item.id);
        if (onResult) onResult(item, result);
        if (--pending === 0 && load().length && !timer) {
          timer = setTimeout(flush, delay);
          delay = Math.min(delay * 2, 60000);
        }
      });
    });
  }

  function bodyOf(form) {
    var d = form.dataset, multi = d.multi.split(","), text = d.text.split(","), answers = {};
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (PAGE_FIELDS.indexOf(name) >= 0) return;
      value = String(value).trim();
      if (value === "") return;
      if (text.indexOf(name) >= 0) answers[name] = value;
      else if (multi.indexOf(name) >= 0) (answers[name] = answers[name] || []).push(parseInt(value, 10));
      else answers[name] = parseInt(value, 10);
    });
    var body = {
      id: data.get("response_id"), slug: d.slug, form_id: d.formId,
      form_version: parseInt(d.formVersion, 10), language: d.lang,
      answers: answers, token: data.get("token")
    };
    if (data.get("sector")) body.sector = data.get("sector");
    else if (d.sectorUnknown) body.sector = d.sectorUnknown;  // asked, optional, skipped
    return body;
  }

  function showIf(form) {
    var sets = form.querySelectorAll("fieldset[data-show-if]");
    Array.prototype.forEach.call(sets, function (set) {
      var checked = form.querySelector("[name='" + set.dataset.showIf + "']:checked") ||
        form.querySelector("input[type=hidden][name='" + set.dataset.showIf + "']");
      var code = checked ? parseInt(checked.value, 10) : NaN;
      var min = set.dataset.showMin, max = set.dataset.showMax;
      var shown = code > 0 && (min === "" || code >= +min) && (max === "" || code <= +max);
      set.hidden = !shown; set.disabled = !shown;
    });
  }

  function kiosk() {
    var body = document.body, seconds = parseInt(body.dataset.kiosk, 10), idle = null;
    if (!seconds) return;
    function restart() { location.replace(body.dataset.start); }
    function touch() { clearTimeout(idle); idle = setTimeout(restart, seconds * 1000); }
    ["pointerdown", "keydown", "input", "scroll"].forEach(function (e) {
      document.addEventListener(e, touch, { passive: true });
    });
    touch();
  }

  /* A counter's kiosk: a tap on a face is queued and sent at once; the dissatisfied may
     then tap what should improve, which rides on the queued response if it has not gone
     yet, and is posted as the response's follow-up once it has. */
  function kioskFaces(tap) {
    var d = tap.dataset, data = new FormData(tap), sent = null, improve = null, stored = false;
    var improveForm = document.getElementById("kiosk-improve");
    function show(id) {
      ["kiosk-faces", "kiosk-follow-up", "kiosk-thanks"].forEach(function (s) {
        document.getElementById(s).hidden = s !== id;
      });
    }
    function finish() {
      show("kiosk-thanks");
      setTimeout(function () { location.replace(document.body.dataset.start); }, 5000);
    }
    function postImprove() {
      var fields = new URLSearchParams(new FormData(improveForm));
      fields.append("improve", String(improve));
      // getAttribute: the form's own "action" input hides the property of that name
      fetch(improveForm.getAttribute("action"), { method: "POST", credentials: "same-origin",
                                                  body: fields });
    }
    onResult = function (item, result) {
      if (!sent || item.id !== sent.id) return;
      if (result === "done") {
        stored = true;
        if (improve !== null && !(item.body.answers.improve || []).length) postImprove();
      } else if (result === "retry") {
        var status = document.getElementById("kiosk-status");
        status.textContent = status.dataset.saved;
      }
    };
    tap.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sent || !event.submitter) return;  // one tap, one response
      var overall = parseInt(event.submitter.value, 10);
      sent = { id: data.get("response_id"), slug: d.slug, form_id: d.formId,
               form_version: parseInt(d.formVersion, 10), language: d.lang,
               answers: { overall: overall }, token: data.get("token") };
      if (d.sectorUnknown) sent.sector = d.sectorUnknown;
      enqueue(sent);
      delay = 2000;
      flush();
      if (overall <= 3) show("kiosk-follow-up"); else finish();
    });
    improveForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (improve !== null || !event.submitter) return;
      improve = parseInt(event.submitter.value, 10);
      var queued = load().filter(function (it) { return it.id === sent.id; })[0];
      if (queued && !stored) {
        queued.body.answers.improve = [improve];
        enqueue(queued.body);
      } else {
        postImprove();
      }
      finish();
    });
    document.getElementById("kiosk-skip").addEventListener("submit", function (event) {
      event.preventDefault();
      finish();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("survey"), status = document.getElementById("queue-status");
    var tap = document.getElementById("kiosk-tap");
    kiosk();
    window.addEventListener("online", function () { delay = 2000; flush(); });
    if (tap && window.fetch && window.localStorage) kioskFaces(tap);
    if (!form) { flush(); return; }
    showIf(form);
    form.addEventListener("change", function () { showIf(form); });

    document.getElementById("lang-switch").addEventListener("click", function (event) {
      event.preventDefault();
      var stay = document.createElement("input");
      stay.type = "hidden"; stay.name = "action"; stay.value = "stay";
      form.appendChild(stay);
      form.action = location.pathname + this.getAttribute("href");
      form.submit();
    });

    var mine = null;
    onResult = function (item, result) {
      if (!mine || item.id !== mine) return;
      if (result === "done") location.assign(form.dataset.thanks);
      else if (result === "refused") form.submit();  // the server's own page says why
      else {
        status.textContent = form.dataset.saved;
        status.scrollIntoView({ block: "nearest" });  // where the eye is: by the button
        if (document.body.dataset.kiosk) setTimeout(function () { location.replace(document.body.dataset.start); }, 5000);
      }
    };
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (form.dataset.last !== "1" || (submitter && submitter.value !== "send")) return;
      if (!window.fetch || !window.localStorage) return;
      event.preventDefault();
      if (mine) return;  // one tap sends once; the queue does the rest
      var body = bodyOf(form);
      mine = body.id;
      if (submitter) submitter.setAttribute("aria-disabled", "true");
      enqueue(body);
      status.textContent = form.dataset.sending;
      status.scrollIntoView({ block: "nearest" });
      delay = 2000;
      flush();
    });
    flush();
  });
})();
