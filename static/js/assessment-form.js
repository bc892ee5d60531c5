// The assessor's form: every answer is sent the moment it is tapped. An
// answer the server has not confirmed (no signal in the elder's home) is
// kept in this browser and sent again when the connection returns, so a
// dropped connection loses nothing. The server checks every answer against
// its item's options; a refusal is shown on the item.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.dataset.autosaveUrl;
  var key = "eldercare-assessment-" + form.dataset.assessment + "-pending";
  var status = document.getElementById("save-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function pending() {
    try { return JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function keep(item, option) {
    var all = pending();
    if (option === null) { delete all[item]; } else { all[item] = option; }
    try { window.localStorage.setItem(key, JSON.stringify(all)); } catch (e) { /* private mode */ }
  }
  function show(state) {
    if (!status) { return; }
    var count = Object.keys(pending()).length;
    status.dataset.state = count ? "pending" : state;
    status.textContent = count ? status.dataset.pending.replace("{n}", count) : status.dataset[state];
  }
  function itemError(item, message) {
    var fieldset = form.querySelector("fieldset[data-item='" + item + "']");
    if (!fieldset) { return; }
    var box = fieldset.querySelector(".item-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "item-error";
      box.setAttribute("role", "alert");
      fieldset.appendChild(box);
    }
    box.textContent = message || "";
    box.hidden = !message;
  }
  function progress(answered, total) {
    var bar = document.querySelector("[data-testid=progress] progress");
    var count = document.getElementById("answered-count");
    if (bar) { bar.value = answered; bar.max = total; }
    if (count) { count.textContent = answered; }
  }

  function send(item, option) {
    keep(item, option);
    show("saving");
    var body = new FormData();
    body.append("item", item);
    body.append("option", option);
    return window.fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, code: response.status, data: data}; });
    }).then(function (answer) {
      if (answer.ok) {
        // only forget it if nothing newer was tapped meanwhile
        if (pending()[item] === option) { keep(item, null); }
        itemError(item, "");
        progress(answer.data.answered, answer.data.total_items);
        show("saved");
      } else if (answer.code === 400) {
        keep(item, null);
        var errors = answer.data.errors || {};
        itemError(item, (errors[item] || errors.__all__ || [""])[0]);
        show("saved");
      } else {
        show("pending");
      }
    }).catch(function () { show("pending"); });
  }

  function flush() {
    var all = pending();
    Object.keys(all).forEach(function (item) { send(item, all[item]); });
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio" && input.closest("fieldset[data-item]")) {
      send(input.name, input.value);
    }
  });
  // An answer kept from a lost connection is shown again and re-sent.
  var kept = pending();
  Object.keys(kept).forEach(function (item) {
    var input = form.querySelector("input[name='" + item + "'][value='" + kept[item] + "']");
    if (input) { input.checked = true; }
  });
  window.addEventListener("online", flush);
  flush();
  show("saved");
}());
