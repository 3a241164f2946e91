/* Date pickers in the page's language. Dash's date picker takes its date-fns locale from
 * window.dateFns.locale: the one matching the browser's languages, else the first one there. So the
 * page offers only its own language's locale (Indonesian, vendored in assets/vendor; English is
 * the picker's default), whatever language the browser is set to. The accessor keeps working
 * whichever of this file and the vendored locale loads first. */
(function () {
    "use strict";
    let stored = window.dateFns || {};

    function pageLanguage() {
        const shell = document.querySelector(".app-shell");
        return shell && shell.lang ? shell.lang : "id";
    }

    Object.defineProperty(window, "dateFns", {
        configurable: true,
        get: function () {
            const all = stored.locale || {};
            const lang = pageLanguage();
            return Object.assign({}, stored, {locale: all[lang] ? {[lang]: all[lang]} : {}});
        },
        set: function (value) { stored = value || {}; },
    });
}());
