/* The CSRF token of this session, for scripts that POST to a Flask route (not a Dash callback):
 *   fetch(url, {method: "POST", headers: {"X-CSRFToken": window.ambon.csrfToken()}})
 * It is the one the header's logout form carries. */
window.ambon = window.ambon || {};
window.ambon.csrfToken = function () {
    const input = document.querySelector('.app-user input[name="csrf_token"]');
    return input ? input.value : "";
};
