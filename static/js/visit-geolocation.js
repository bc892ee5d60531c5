// The caregiver's phone at check-in: fill the hidden latitude and longitude
// from the phone's position when the caregiver allows it. The position is
// optional: without it (refused, no signal, no support) the visit is
// recorded all the same, only without a distance from the address.
(function () {
  "use strict";
  var form = document.querySelector("form[data-geolocation]");
  if (!form) { return; }
  var latitude = form.querySelector("input[name=latitude]");
  var longitude = form.querySelector("input[name=longitude]");
  var status = document.getElementById("gps-status");
  if (!latitude || !longitude) { return; }

  function show(state) {
    if (status && status.dataset[state]) {
      status.textContent = status.dataset[state];
      status.dataset.state = state;
    }
  }
  if (!("geolocation" in navigator)) { show("unsupported"); return; }
  show("waiting");
  navigator.geolocation.getCurrentPosition(function (position) {
    latitude.value = position.coords.latitude.toFixed(6);
    longitude.value = position.coords.longitude.toFixed(6);
    show("found");
  }, function () {
    latitude.value = "";
    longitude.value = "";
    show("denied");
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
}());
