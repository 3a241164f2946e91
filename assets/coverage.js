/* Map functions of the coverage-gap page, under window.ambon.coverage (dash-leaflet functional props).
 * Reasons and names are set as text (through ambon.map.card), never parsed as HTML. */
window.ambon = window.ambon || {};
(function () {
    "use strict";

    function fmt(n, lang, digits) {
        return Number(n).toLocaleString(lang === "en" ? "en-US" : "id-ID", {maximumFractionDigits: digits, minimumFractionDigits: digits});
    }

    function hexColour(value, h) {
        let i = 0;
        while (i < h.breaks.length && value >= h.breaks[i]) i++;
        return h.colours[i];
    }

    window.ambon.coverage = {
        hexStyle: function (feature, context) {
            const c = hexColour(feature.properties.uncovered_weight, context.hideout);
            // strong fill and a dark outline: classes stay apart over the basemap at zoom 14-16
            return {color: "#5a1a00", weight: 0.6, opacity: 0.6, fillColor: c, fillOpacity: 0.72};
        },
        hexPopup: function (feature, layer, context) {
            const p = feature.properties, L_ = context.hideout.labels;
            layer.bindPopup(window.ambon.map.card(L_.uncovered + ": " + fmt(p.uncovered_weight, L_.lang, 1) + " " + L_.unit, [
                [L_.covered, fmt(p.pct_covered || 0, L_.lang, 0) + " % / " + fmt(p.total_weight, L_.lang, 1) + " " + L_.unit]]), {minWidth: 200});
        },
        siteMarker: function (feature, latlng) {
            const icon = L.divIcon({className: "cov-site-icon", iconSize: [22, 22], html: ""});
            // better ranks drawn on top where sites crowd together
            const marker = L.marker(latlng, {icon: icon, zIndexOffset: 1000 * (300 - feature.properties.rank), keyboard: true, title: "#" + feature.properties.rank});
            marker.on("add", function () { marker.getElement().textContent = String(feature.properties.rank); });
            return marker;
        },
        sitePopup: function (feature, layer, context) {
            const p = feature.properties, L_ = context.hideout.labels;
            layer.bindPopup(window.ambon.map.card(L_.rank + " " + p.rank, [
                [L_.gain, fmt(p.marginal_weight, L_.lang, 1) + " " + L_.unit],
                [L_.reason, p["reason_" + L_.lang]]]), {maxWidth: 340, minWidth: 260});
        },
        proposedStyle: function (feature, context) {
            const c = context.hideout.proposed;
            return {color: c, weight: 1.5, dashArray: "4 3", fillColor: c, fillOpacity: 0.2};
        },
    };
})();
