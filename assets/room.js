/* The operators' room in the browser: theme (a screen's ?tema=gelap|terang wins over the user's
   stored choice for as long as that browser tab lives), the alert panel, the alert sound, and the
   map legend folded or open as the user last left it. */
(function () {
  const OVERRIDE = "ambon-tema";
  const fromUrl = new URLSearchParams(window.location.search).get("tema");
  if (fromUrl === "gelap" || fromUrl === "terang") { sessionStorage.setItem(OVERRIDE, fromUrl); }

  function show(theme) {
    const root = document.documentElement;
    const changed = root.dataset.theme !== theme;
    root.dataset.theme = theme;
    root.setAttribute("data-bs-theme", theme === "gelap" ? "dark" : "light");
    if (changed) { redrawCharts(); }
  }

  // Charts: the figures come from the server in the light look; in the dark theme every chart
  // is drawn with a dark template instead (backgrounds, text, grid), keeping its trace colours.
  // dcc.Graph draws through Plotly.react, so that is where the theme is put in; the figure the
  // server sent is kept on the chart, so switching the theme redraws it in the other look.
  const DARK_AXIS = {gridcolor: "#2f3845", linecolor: "#6b7480", zerolinecolor: "#6b7480", tickcolor: "#6b7480"};
  const DARK_LAYOUT = {paper_bgcolor: "#0d1117", plot_bgcolor: "#0d1117", font: {color: "#e6e9ee"},
                       legend: {bgcolor: "rgba(0,0,0,0)"}, hoverlabel: {bgcolor: "#1f2a37", font: {color: "#f4f6f8"}}};
  function isAxis(key) { return /^[xy]axis\d*$/.test(key); }
  function themed(layout) {
    if (!layout || document.documentElement.dataset.theme !== "gelap") { return layout; }
    const dark = JSON.parse(JSON.stringify(layout));
    const template = dark.template || {};
    // the template's colour cycle stays (series keep their colours); its light look goes
    dark.template = {layout: Object.assign({}, template.layout, DARK_LAYOUT,
                                           {xaxis: Object.assign({}, (template.layout || {}).xaxis, DARK_AXIS),
                                            yaxis: Object.assign({}, (template.layout || {}).yaxis, DARK_AXIS)})};
    Object.assign(dark, {paper_bgcolor: DARK_LAYOUT.paper_bgcolor, plot_bgcolor: DARK_LAYOUT.plot_bgcolor,
                         font: Object.assign({}, dark.font, DARK_LAYOUT.font)});
    Object.keys(dark).filter(isAxis).forEach(function (key) { Object.assign(dark[key], DARK_AXIS); });
    if (dark.title && dark.title.font) { delete dark.title.font.color; }
    (dark.annotations || []).forEach(function (note) { if (note.font) { delete note.font.color; } });  // text in the theme's colour
    return dark;
  }
  function wrapPlotly() {
    const plotly = window.Plotly;
    if (!plotly || plotly.react.ambonThemed) { return; }
    const react = plotly.react;
    plotly.react = function (gd, data, layout, config) {
      if (data && !Array.isArray(data) && typeof data === "object") {  // dcc.Graph's form: one {data, layout, config}
        const element = typeof gd === "string" ? document.getElementById(gd) : gd;
        if (element) { element.ambonLayout = data.layout; }
        return react.call(this, gd, Object.assign({}, data, {layout: themed(data.layout)}));
      }
      return react.call(this, gd, data, themed(layout), config);
    };
    plotly.react.ambonThemed = true;
  }
  function redrawCharts() {
    wrapPlotly();
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (gd.ambonLayout && window.Plotly) { window.Plotly.react(gd, {data: gd.data, layout: gd.ambonLayout}); }
    });
  }
  wrapPlotly();
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
  new MutationObserver(function (records) {
    wrapPlotly();  // Plotly may arrive after this file
    const list = document.getElementById("alert-list");
    if (list && records.some(function (r) { return list.contains(r.target); })) { announceNewAlerts(); }
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

  // The sound of a new alert: one whose "seen" button was not in the alert list before (a pattern-
  // matching id carries the alert's key). Read from the list as drawn, not from a callback chained
  // on the poll: Dash holds a chained callback back while its input's callback is pending, and on a
  // busy server one poll is always pending, so the sound never came. The first list drawn in a tab
  // is what was already there: no sound for it.
  let knownAlerts = null;
  function listedNewKeys(list) {
    return Array.prototype.map.call(list.querySelectorAll(".alert-ack"), function (button) {
      try { return JSON.parse(button.id).key; } catch (e) { return null; }
    }).filter(Boolean);
  }
  function announceNewAlerts() {
    const list = document.getElementById("alert-list");
    if (!list || !list.firstChild) { return; }  // not drawn yet
    const keys = listedNewKeys(list);
    const fresh = knownAlerts !== null && keys.some(function (key) { return knownAlerts.indexOf(key) < 0; });
    knownAlerts = keys;
    if (!fresh) { return; }
    const audio = document.getElementById("alert-audio");
    const sound = document.querySelector("#alert-sound input[type=checkbox]");
    if (audio) { audio.dataset.announced = String(Date.now()); }
    if (audio && sound && sound.checked) {
      audio.currentTime = 0;
      audio.play().catch(function () {});  // a browser may refuse before the page had a click
    }
  }
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
    },
  });
})();
