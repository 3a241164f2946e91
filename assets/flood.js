/* Functions the BPBD flood map calls (dash-leaflet functional props), under window.ambon.flood.
 * Texts from data are set with textContent: never parsed as HTML. */
window.ambon = window.ambon || {};
(function () {
    "use strict";

    function el(tag, className, text) { return window.ambon.map.el(tag, className, text); }  // ambon_map.js, loaded first

    /* A measured value with its unit, written as the page's readers write numbers (116,0 in Indonesian). */
    function figure(value, unit, digits, signed, lang) {
        if (value === null || value === undefined) return "–";
        const text = Number(value).toLocaleString(lang === "en" ? "en-US" : "id-ID",
                                                  {minimumFractionDigits: digits, maximumFractionDigits: digits});
        return (signed && value > 0 ? "+" : "") + text + " " + unit;
    }

    function gaugeCard(p, h) {
        const L_ = h.labels, box = el("div", "ambon-popup");
        box.appendChild(el("div", "ambon-popup-title", p.name));
        const rows = [[L_.river, p.river], [L_.status, h.levels[String(p.alert_level)]],
                      [L_.level, p.level_cm === null ? L_.noReading : figure(p.level_cm, "cm", 0, false, h.lang)],
                      [L_.rate, figure(p.rate_cm_h, L_.unitRate, 1, true, h.lang)], [L_.rain, figure(p.rain_mm_h, L_.unitRain, 1, false, h.lang)],
                      [L_.time, p.time_wit]];
        const table = el("table", "ambon-popup-table");
        rows.forEach(function (row) {
            const tr = el("tr");
            tr.appendChild(el("th", null, row[0]));
            tr.appendChild(el("td", null, row[1] === null || row[1] === undefined ? "–" : row[1]));
            table.appendChild(tr);
        });
        box.appendChild(table);
        return box;
    }

    window.ambon.flood = {
        watershedStyle: function (feature, context) {
            const c = context.hideout.colours[String(feature.properties.level)];
            return {color: c, weight: 2, fillColor: c, fillOpacity: 0.22, dashArray: "4 3"};
        },
        watershedTooltip: function (feature, layer, context) {
            const p = feature.properties, h = context.hideout;
            layer.bindTooltip(el("span", null, p.name + " · " + h.levels[String(p.level)]), {sticky: true});
        },
        gaugeMarker: function (feature, latlng, context) {
            const p = feature.properties;
            const text = p.level_cm === null ? "– cm" : Math.round(p.level_cm) + " cm";
            const icon = L.divIcon({className: "flood-gauge-icon flood-level-" + p.alert_level, iconSize: null, html: el("span", null, text)});
            return L.marker(latlng, {icon: icon, title: p.name, keyboard: true, zIndexOffset: 2000});
        },
        gaugeTooltip: function (feature, layer, context) {
            layer.bindTooltip(gaugeCard(feature.properties, context.hideout), {direction: "top", offset: [0, -12]});
        },
        cameraPopup: function (feature, layer, context) {
            const p = feature.properties, L_ = context.hideout.labels;
            layer.bindPopup(function () {
                const box = el("div", "ambon-popup flood-camera-popup");
                box.appendChild(el("div", "ambon-popup-title", p.name));
                box.appendChild(el("div", null, L_.river + ": " + (p.river || "–")));
                const img = el("img");
                img.src = "/cameras/" + encodeURIComponent(p.id) + "/thumbnail.jpg?t=" + Date.now();
                img.alt = p.name;
                img.width = 240;
                box.appendChild(img);
                const link = el("a", null, L_.live);
                link.href = "/kamera/langsung?id=" + encodeURIComponent(p.id);
                box.appendChild(el("div")).appendChild(link);
                return box;
            }, {maxWidth: 280});
            layer.bindTooltip(el("span", null, p.name));
        },
    };
})();

/* The buttons of the alert cards (send, acknowledge, close, show more RT) have no Dash ids: hundreds of
 * pattern-matching ids would freeze the page. One click handler writes what was pressed into the store
 * named by the list's data-flood-store (layouts/flood_page.action_button); the server checks everything. */
(function () {
    "use strict";
    document.addEventListener("click", function (event) {
        const button = event.target.closest ? event.target.closest("button[data-flood-action]") : null;
        const list = button ? button.closest("[data-flood-store]") : null;
        if (!list || button.disabled || !window.dash_clientside || !window.dash_clientside.set_props) return;
        const row = button.closest("tr.flood-rt");
        if (row && button.dataset.floodAction !== "more") row.classList.add("flood-rt-saving");
        button.disabled = true;  // one press, one record; the redraw brings the buttons back as they now are
        window.dash_clientside.set_props(list.dataset.floodStore, {data: {
            action: button.dataset.floodAction, target: Number(button.dataset.floodTarget),
            channel: button.dataset.floodChannel || null, nonce: Date.now()}});
    });
})();
