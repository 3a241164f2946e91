// The public report form's map: a click (or the phone's location) fills the latitude and longitude fields.
(function () {
    "use strict";
    function start() {
        const box = document.getElementById("pub-map");
        if (!box || typeof L === "undefined") return;
        const lat = document.getElementById("pub-lat"), lon = document.getElementById("pub-lon");
        const map = L.map(box).setView([-3.695, 128.18], 12);
        if (box.dataset.tiles) {
            L.tileLayer(box.dataset.tiles, {attribution: box.dataset.attribution, maxZoom: 19}).addTo(map);
        }
        try {
            L.geoJSON(JSON.parse(box.dataset.land || "{}"), {style: {color: "#7a8b99", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1}}).addTo(map);
        } catch (e) { /* no outline: the map still takes clicks */ }
        let marker = null;
        function place(latValue, lonValue, zoom) {
            lat.value = latValue.toFixed(6);
            lon.value = lonValue.toFixed(6);
            if (marker) marker.setLatLng([latValue, lonValue]); else marker = L.marker([latValue, lonValue]).addTo(map);
            if (zoom) map.setView([latValue, lonValue], 16);
        }
        const given = [parseFloat((lat.value || "").replace(",", ".")), parseFloat((lon.value || "").replace(",", "."))];
        if (isFinite(given[0]) && isFinite(given[1])) place(given[0], given[1], true);
        map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
        const locate = document.getElementById("pub-locate"), message = document.getElementById("pub-locate-message");
        locate.addEventListener("click", function () {
            if (!navigator.geolocation) { message.textContent = locate.dataset.failed; return; }
            navigator.geolocation.getCurrentPosition(
                function (position) { message.textContent = ""; place(position.coords.latitude, position.coords.longitude, true); },
                function () { message.textContent = locate.dataset.failed; }, {enableHighAccuracy: true, timeout: 15000});
        });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
