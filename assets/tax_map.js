/* Functions the restaurant-tax map (/pajak) calls (dash-leaflet functional props), under window.ambon.tax.
 * A taxpayer is a marker coloured by its worst open flag; its name is its title (set as text, never HTML). */
window.ambon = window.ambon || {};
(function () {
    "use strict";

    window.ambon.tax = {
        marker: function (feature, latlng, context) {
            const p = feature.properties, h = context.hideout;
            const flag = p.flag || "none";
            const icon = L.divIcon({className: "tax-marker tax-flag-" + flag, iconSize: flag === "none" ? [10, 10] : [16, 16], html: ""});
            const marker = L.marker(latlng, {icon: icon, title: p.name + " · " + (h.flags[flag] || flag), keyboard: true, riseOnHover: true,
                                             zIndexOffset: flag === "none" ? 0 : 1000});
            return marker;
        },
    };
})();
