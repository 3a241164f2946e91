/* Functions the map layers call (dash-leaflet functional props), under window.ambon.map.
 * Every text that comes from data is set with textContent: user text is never parsed as HTML. */
window.ambon = window.ambon || {};
(function () {
    "use strict";

    function el(tag, className, text) {
        const node = document.createElement(tag);
        if (className) node.className = className;
        if (text !== undefined && text !== null) node.textContent = String(text);
        return node;
    }

    function card(title, rows) {
        const box = el("div", "ambon-popup");
        box.appendChild(el("div", "ambon-popup-title", title));
        const table = el("table", "ambon-popup-table");
        rows.forEach(function (row) {
            if (row[1] === null || row[1] === undefined || row[1] === "") return;
            const tr = el("tr");
            tr.appendChild(el("th", null, row[0]));
            tr.appendChild(el("td", null, row[1]));
            table.appendChild(tr);
        });
        box.appendChild(table);
        return box;
    }

    /* A popup whose details are fetched the first time it opens: the layer itself ships only ids.
     * The popup holds one element, so redrawing it (update) never fetches again. */
    function lazyPopup(layer, url, labels, render) {
        const holder = el("div", "ambon-popup", labels.popup.loading);
        let state = "idle";
        layer.bindPopup(holder, {maxWidth: 320, minWidth: 220});
        layer.on("popupopen", function () {
            if (state !== "idle") return;
            state = "loading";
            fetch(url, {credentials: "same-origin"})
                .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
                .then(function (data) { state = "done"; holder.replaceChildren(render(data)); layer.getPopup().update(); })
                .catch(function () { state = "idle"; holder.textContent = labels.popup.error; });
        });
    }

    function popupFor(feature, layer, h) {
        const p = feature.properties || {};
        const L_ = h.labels, f = L_.field;
        switch (h.layer) {
            case "cameras": {
                const view = p.heading_deg === null || p.heading_deg === undefined
                    ? f.ptz : Math.round(p.heading_deg) + "° / " + Math.round(p.fov_deg) + "°";
                layer.bindPopup(card(p.name, [
                    [f.kind, L_.kind[p.kind]], [f.status, L_.cameraStatus[p.status] || p.status],
                    [f.heading + " / " + f.fov, view], [f.range, Math.round(p.range_m) + " m"],
                    [f.desa, p.desa], [f.kecamatan, p.kecamatan]]), {maxWidth: 320, minWidth: 220});
                layer.bindTooltip(el("span", null, p.name));
                return;
            }
            case "complaints":
                lazyPopup(layer, "/api/complaints/" + encodeURIComponent(p.id), L_, function (c) {
                    return card(c.ticket, [
                        [f.category, L_.category[h.categoryIndex[c.category]] || c.category],
                        [f.status, L_.status[h.statusIndex[c.status]] || c.status],
                        [f.agency, L_.agency[c.agency] || c.agency], [f.channel, c.channel],
                        [f.created, c.created_at_text], [f.responded, c.responded_at_text], [f.closed, c.closed_at_text],
                        [f.desa, c.desa], [f.description, c.description],
                        [f.reporter, c.reporter_name], [f.phone, c.reporter_phone]]);
                });
                return;
            case "businesses":
                layer.bindPopup(card(p.name, [[f.kind, L_.business[p.category]]]));
                return;
            case "tps":
                layer.bindPopup(card(p.name, [[f.capacity, p.capacity_m3 + " m³"], [f.desa, p.desa]]));
                return;
            case "flood_zones":
                layer.bindPopup(card(p.name, [[f.hazard, L_.hazard[String(p.hazard)]]]));
                return;
            case "rivers":
                layer.bindTooltip(el("span", null, p.name), {sticky: true});
                return;
            case "roads":
                layer.bindTooltip(el("span", null, [p.name, L_.roadGroup[p.g]].filter(Boolean).join(" · ")), {sticky: true});
                return;
            case "kecamatan":
            case "desa":
                layer.bindPopup(card(p.name, [[f.code, p.code], [f.kind, p.kind]]));
                return;
        }
    }

    window.ambon.map = {
        bindPopup: function (feature, layer, context) {
            const h = context.hideout;
            if (!h.statusIndex) {
                h.statusIndex = {baru: 0, diteruskan: 1, diproses: 2, selesai: 3, terverifikasi: 4, ditolak: 5, diselesaikan: 6, dibuka_kembali: 7};
                h.categoryIndex = {};
                ["sampah", "jalan", "drainase", "ketertiban", "banjir", "lalu_lintas", "pajak", "pasar", "kriminal"]
                    .forEach(function (c, i) { h.categoryIndex[c] = i; });
            }
            if (feature.properties && feature.properties.cluster) return;
            popupFor(feature, layer, h);
        },
        card: card,
        el: el,
        noPopup: function () {},
        cameraMarker: function (feature, latlng, context) {
            const p = feature.properties, h = context.hideout;
            const icon = L.divIcon({
                className: "cam-icon cam-" + p.kind + " cam-status-" + p.status,
                iconSize: [18, 18],
                html: "",
            });
            // above complaint clusters: an operator must always be able to reach a camera
            const marker = L.marker(latlng, {icon: icon, title: p.name, keyboard: true, riseOnHover: true, zIndexOffset: 1000});
            marker.options.alt = p.name;
            return marker;
        },
        /* Cameras too close to tell apart at this zoom: one marker with their count, its border in the
         * worst status among them (an offline camera is never hidden inside a green group). */
        cameraCluster: function (feature, latlng, index, context) {
            const rank = {offline: 0, degraded: 1, unknown: 2, online: 3};
            const worst = index.getLeaves(feature.properties.cluster_id, Infinity)
                .map(function (leaf) { return leaf.properties.status; })
                .sort(function (a, b) { return (rank[a] ?? 2) - (rank[b] ?? 2); })[0] || "unknown";
            const icon = L.divIcon({className: "cam-icon cam-cluster cam-status-" + worst, iconSize: [22, 22],
                                    html: String(feature.properties.point_count)});
            return L.marker(latlng, {icon: icon, zIndexOffset: 1000, keyboard: true,
                                     title: feature.properties.point_count + " " + context.hideout.labels.popup.cameras_here});
        },
        /* A group of complaints or businesses: the library's look, with the whole count written as
         * the page's readers write numbers ("1.234", not "1.2k"). */
        countCluster: function (feature, latlng, index, context) {
            const n = feature.properties.point_count;
            const size = n >= 1000 ? "large" : n >= 100 ? "medium" : "small";
            const count = n.toLocaleString(context.hideout.labels.lang === "en" ? "en-US" : "id-ID");  // digits only: safe as HTML
            return L.marker(latlng, {icon: L.divIcon({className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40),
                                                      html: "<div><span>" + count + "</span></div>"})});
        },
        /* A complaint, or a group of them the server binned into one grid cell (cluster, point_count):
         * the group shows its whole count, its border in its most frequent status or its most urgent
         * deadline state (colour by), and a click zooms in on it. */
        complaintMarker: function (feature, latlng, context) {
            const h = context.hideout, p = feature.properties;
            const byDeadline = h.colourBy === "deadline";  // the side panel's "colour by" choice
            const colour = (byDeadline ? h.deadlineColours[p.d] : h.statusColours[p.s]) || "#555";
            if (!p.cluster) {
                return L.circleMarker(latlng, {radius: 6, weight: 1, color: "#ffffff", fillColor: colour, fillOpacity: 0.9});
            }
            const n = Number(p.point_count);
            const size = n >= 1000 ? "large" : n >= 100 ? "medium" : "small";
            const box = document.createElement("div");
            box.style.borderColor = colour;
            box.style.borderStyle = "solid";
            box.style.borderWidth = "3px";
            const count = document.createElement("span");
            count.textContent = n.toLocaleString(h.labels.lang === "en" ? "en-US" : "id-ID");
            box.appendChild(count);
            const marker = L.marker(latlng, {icon: L.divIcon({className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40), html: box}),
                                             keyboard: true});
            marker.on("click", function (e) {
                const map = e.target._map;
                if (map) map.setView(latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()));
            });
            return marker;
        },
        businessMarker: function (feature, latlng, context) {
            const h = context.hideout;
            return L.circleMarker(latlng, {radius: 6, weight: 1, color: "#ffffff",
                fillColor: h.businessColours[feature.properties.category] || "#555", fillOpacity: 0.9});
        },
        tpsMarker: function (feature, latlng) {
            return L.marker(latlng, {icon: L.divIcon({className: "tps-icon", iconSize: [14, 14]}), title: feature.properties.name});
        },
        /* The offline basemap's colours follow the theme: assets/theme.css paints these classes from
         * its variables (land, its coast, the boundaries), so a dark wall screen gets a dark city. */
        landStyle: function () { return {className: "map-land", color: "#c9c2ad", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1}; },
        kecamatanStyle: function () { return {className: "map-kecamatan", color: "#4a4a4a", weight: 2, dashArray: "6 4", fill: false}; },
        desaStyle: function () { return {className: "map-desa", color: "#8c8c8c", weight: 1, fill: true, fillOpacity: 0}; },
        riverStyle: function () { return {color: "#1f78b4", weight: 3}; },
        roadStyle: function (feature, context) {
            const s = context.hideout.roadStyles[feature.properties.g] || ["#b5b5b5", 1];
            return {color: s[0], weight: s[1], opacity: 0.9};
        },
        floodStyle: function (feature, context) {
            const c = context.hideout.hazardColours[String(feature.properties.hazard)];
            return {color: c, weight: 0, fillColor: c, fillOpacity: 0.45};
        },
        sectorStyle: function (feature, context) {
            const show = context.hideout.show;
            return {color: "#0b6e99", weight: 1, fillColor: "#35a7d6", fillOpacity: show ? 0.25 : 0, opacity: show ? 0.8 : 0};
        },
        selectedSectorStyle: function () {
            return {color: "#ff6f00", weight: 3, dashArray: "4 3", fillColor: "#ffb300", fillOpacity: 0.35};
        },
    };
})();
