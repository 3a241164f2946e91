/* The operators' room in the browser: theme (a screen's ?tema=gelap|terang wins over the user's
   stored choice for as long as that browser tab lives), the alert panel, the alert sound, and the
   map legend folded or open as the user last left it. */
(function () {
  const OVERRIDE = "ambon-tema";
  const fromUrl = new URLSearchParams(window.location.search).get("tema");
  if (fromUrl === "gelap" || fromUrl === "terang") { sessionStorage.setItem(OVERRIDE, fromUrl); }

  function show(theme) {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.setAttribute("data-bs-theme", theme === "gelap" ? "dark" : "light");
  }
  const early = sessionStorage.getItem(OVERRIDE);
  if (early) { show(early); }  // before the layout arrives: no light flash on a wall screen

  function effective(stored) { return sessionStorage.getItem(OVERRIDE) || stored || "terang"; }

  function toggleLabel(theme) {
    const button = document.getElementById("room-theme-toggle");
    return button ? button.dataset["label" + (theme === "gelap" ? "Gelap" : "Terang")] : window.dash_clientside.no_update;
  }

  // Legends: <details class="map-legend">, each one's open state remembered per browser. The city
  // map's starts folded below 1800 px (it covered a third of the map), and so does any legend with
  // data-fold-below (coverage, tax: they covered half of a laptop's map); the others start open.
  const LEGEND = "ambon-legend-open:";
  function restoreLegend(details) {
    if (details.dataset.restored) { return; }
    details.dataset.restored = "1";
    const stored = localStorage.getItem(LEGEND + details.id);
    const foldBelow = details.id === "map-legend" ? 1800 : Number(details.dataset.foldBelow || 0);
    details.open = stored === null ? window.innerWidth >= foldBelow : stored === "1";
  }
  function rememberLegend(details) {
    localStorage.setItem(LEGEND + details.id, details.open ? "1" : "0");
  }
  document.addEventListener("toggle", function (event) {
    const details = event.target;
    if (details.classList && details.classList.contains("map-legend") && details.dataset.restored) {
      rememberLegend(details);
    }
  }, true);
  // "toggle" fires in a later task: a reload right after a click could leave before it, and the
  // legend would come back as it was. Leaving the page says each legend's state for certain.
  window.addEventListener("pagehide", function () {
    document.querySelectorAll("details.map-legend[data-restored]").forEach(rememberLegend);
  });
  new MutationObserver(function () {
    document.querySelectorAll("details.map-legend:not([data-restored])").forEach(restoreLegend);
  }).observe(document.documentElement, {childList: true, subtree: true});

  // Esc closes the alert panel and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    const panel = document.getElementById("alert-panel");
    if (event.key === "Escape" && panel && !panel.classList.contains("hidden")) {
      document.getElementById("alert-bell").click();
      document.getElementById("alert-bell").focus();
    }
  });

  let knownAlerts = null;
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    room: {
      applyTheme: function (stored, saved) {
        const theme = effective(saved || stored);
        show(theme);
        return toggleLabel(theme);
      },
      toggleTheme: function () {
        const next = document.documentElement.dataset.theme === "gelap" ? "terang" : "gelap";
        sessionStorage.removeItem(OVERRIDE);  // a choice made here is the user's, not the screen's
        show(next);
        const button = document.getElementById("room-theme-toggle");
        if (button) { button.textContent = toggleLabel(next); }
        return next;
      },
      togglePanel: function (_clicks, className) {
        const opening = (className || "").indexOf("hidden") >= 0;
        document.getElementById("alert-bell").setAttribute("aria-expanded", opening ? "true" : "false");
        return opening ? "alert-panel" : "alert-panel hidden";
      },
      announce: function (keys, sound) {
        const fresh = knownAlerts !== null && (keys || []).some(function (key) { return knownAlerts.indexOf(key) < 0; });
        knownAlerts = keys || [];
        if (fresh && sound && sound.indexOf("on") >= 0) {
          const audio = document.getElementById("alert-audio");
          if (audio) { audio.currentTime = 0; audio.play().catch(function () {}); }  // a browser may refuse before a click
        }
        return fresh ? String(Date.now()) : window.dash_clientside.no_update;
      },
    },
  });
})();
