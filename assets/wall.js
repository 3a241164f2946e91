/* Video wall: the configuration in the address bar, and any tile full screen with a click (or
   Enter), closed with Esc. Full screen is the browser's (Fullscreen API) where allowed, otherwise an
   overlay filling the window; the live stream is released when it closes. */
(function () {
  let overlay = null, opener = null;

  function close() {
    if (!overlay) { return; }
    const img = overlay.querySelector("img");
    if (img) { img.src = ""; }  // drops the MJPEG connection
    overlay.remove();
    overlay = null;
    if (document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
    if (opener) { opener.focus(); opener = null; }
  }

  function open(tile) {
    close();
    const wall = tile.closest(".cam-wall");
    opener = tile;
    overlay = document.createElement("div");
    overlay.className = "wall-fullscreen";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", tile.dataset.name);
    const bar = document.createElement("div");
    bar.className = "wall-fullscreen-bar";
    const title = document.createElement("span");
    title.textContent = tile.dataset.name;
    const link = document.createElement("a");
    link.href = tile.dataset.page;
    link.textContent = wall.dataset.openPage || "";
    const button = document.createElement("button");
    button.className = "btn btn-light btn-sm";
    button.textContent = wall.dataset.close || "×";
    button.addEventListener("click", close);
    bar.append(title, link, button);
    const img = document.createElement("img");
    img.alt = tile.dataset.name;
    img.src = tile.dataset.live || tile.querySelector("img").src;
    overlay.append(bar, img);
    document.body.append(overlay);
    button.focus();
    if (overlay.requestFullscreen) { overlay.requestFullscreen().catch(function () {}); }
  }

  document.addEventListener("click", function (event) {
    const tile = event.target.closest && event.target.closest(".cam-wall .cam-tile");
    if (tile) { open(tile); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement && overlay) { close(); }  // Esc leaves the browser's full screen
  });
  window.addEventListener("popstate", close);

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    wall: {
      syncUrl: function (layout, cycle, kinds, kecamatan, kiosk) {
        const params = new URLSearchParams();
        if (layout && layout !== "auto") { params.set("tata", layout); }
        if (cycle) { params.set("putar", String(cycle)); }
        if (kinds && kinds.length && kinds.length < 3) { params.set("jenis", kinds.join(",")); }
        if (kecamatan && kecamatan.length) { params.set("kec", kecamatan.join(",")); }
        if (kiosk) { params.set("kios", "1"); }
        const theme = new URLSearchParams(window.location.search).get("tema");
        if (theme) { params.set("tema", theme); }
        const query = params.toString();
        const url = window.location.pathname + (query ? "?" + query : "");
        if (window.location.pathname === "/kamera") { window.history.replaceState(window.history.state, "", url); }
        return url;
      },
    },
  });
})();
