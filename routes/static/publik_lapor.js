// The public report form's map: the city's land and roads drawn offline (as on the Command Center's
// map), a click (or the phone's location) fills the latitude and longitude fields and puts a marker there.
(function () {
    "use strict";
    function start() {
        const box = document.getElementById("pub-map");
        if (!box || typeof L === "undefined") return;
        const lat = document.getElementById("pub-lat"), lon = document.getElementById("pub-lon");
        const map = L.map(box, {minZoom: 11, maxZoom: 19}).setView([-3.695, 128.18], 13);
        if (box.dataset.credit) map.attributionControl.addAttribution(box.dataset.credit.replace(/</g, "&lt;"));
        if (box.dataset.tiles) {
            L.tileLayer(box.dataset.tiles, {attribution: box.dataset.attribution, maxZoom: 19}).addTo(map);
        }
        let styles = {};
        try { styles = JSON.parse(box.dataset.roadStyles || "{}"); } catch (e) { /* default grey roads */ }
        const below = map.createPane("land");
        below.style.zIndex = 150;  // beneath tiles, so the city is readable where tiles cannot load
        try {
            L.geoJSON(JSON.parse(box.dataset.land || "{}"), {pane: "land", interactive: false,
                style: {color: "#7a8b99", weight: 1, dashArray: "4 3", fill: false}}).addTo(map);
        } catch (e) { /* no outline: the map still takes clicks */ }
        if (box.dataset.basemap && window.fetch) {
            fetch(box.dataset.basemap).then(function (r) { return r.ok ? r.json() : null; }).then(function (base) {
                if (!base) return;
                L.geoJSON(base.land, {pane: "land", interactive: false,
                    style: {color: "#c9c2ad", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1}}).addTo(map).bringToBack();
                L.geoJSON(base.roads, {pane: "land",
                    style: function (f) { const s = styles[f.properties.g] || ["#b5b5b5", 1]; return {color: s[0], weight: s[1], opacity: 0.9}; },
                    onEachFeature: function (f, layer) { if (f.properties.name) layer.bindTooltip(String(f.properties.name), {sticky: true}); }
                }).addTo(map);
                if (marker) marker.bringToFront();
            }).catch(function () { /* the form works without the basemap */ });
        }
        let marker = null;
        function place(latValue, lonValue, zoom) {
            lat.value = latValue.toFixed(6);
            lon.value = lonValue.toFixed(6);
            // a circle, not Leaflet's image icon: it needs no image file and stands out on land and sea
            if (marker) marker.setLatLng([latValue, lonValue]);
            else marker = L.circleMarker([latValue, lonValue], {radius: 9, color: "#fff", weight: 3, fillColor: "#c0392b", fillOpacity: 1}).addTo(map);
            box.dataset.marker = lat.value + "," + lon.value;
            if (zoom) map.setView([latValue, lonValue], 16);
        }
        const given = [parseFloat((lat.value || "").replace(",", ".")), parseFloat((lon.value || "").replace(",", "."))];
        if (isFinite(given[0]) && isFinite(given[1])) place(given[0], given[1], true);
        map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
        [lat, lon].forEach(function (field) {
            field.addEventListener("change", function () {
                const a = parseFloat(lat.value.replace(",", ".")), b = parseFloat(lon.value.replace(",", "."));
                if (isFinite(a) && isFinite(b)) place(a, b, true);
            });
        });
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
