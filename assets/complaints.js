/* The complaints desk's map: points coloured by the state of their deadline (colour chosen on the server),
   their ticket as a tooltip set as text (a ticket comes from an import file and must never become markup). */
window.ambon = window.ambon || {};
window.ambon.complaints = {
    point: function (feature, latlng) {
        return L.circleMarker(latlng, {radius: 7, color: "#ffffff", weight: 1, fillColor: feature.properties.colour, fillOpacity: 0.9});
    },
    tooltip: function (feature, layer) {
        const label = document.createElement("span");
        label.textContent = feature.properties.ticket;
        layer.bindTooltip(label);
        layer.on("click", function () { window.location.assign("/pengaduan/detail?id=" + encodeURIComponent(feature.properties.id)); });
    }
};
