/* Map functions of the admin's import preview, under window.ambon.imports (dash-leaflet functional props).
 * A row's values are shown as text (through ambon.map.card), never parsed as HTML. */
window.ambon = window.ambon || {};
(function () {
    "use strict";
    const COLOURS = {taken: "#2e7d32", repaired: "#ef6c00"};

    window.ambon.imports = {
        rowPoint: function (feature, latlng) {
            const c = COLOURS[feature.properties.status] || "#2e7d32";
            return L.circleMarker(latlng, {radius: 5, color: "#fff", weight: 1, fillColor: c, fillOpacity: 0.9});
        },
        rowStyle: function (feature) {
            const c = COLOURS[feature.properties.status] || "#2e7d32";
            return {color: c, weight: 2, fillColor: c, fillOpacity: 0.25};
        },
        rowPopup: function (feature, layer) {
            const p = feature.properties;
            layer.bindTooltip(String(p.row) + (p.name ? " · " + String(p.name) : ""), {sticky: true});
        }
    };
})();
