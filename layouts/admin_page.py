"""The admin page: users, cameras and the audit log. Tables are filled by callbacks.admin."""
from __future__ import annotations

from dash import dcc, html

from i18n import t
from i18n.format import number
from layouts import ids
from layouts.controls import date_range_picker, dropdown

NUMBER_FIELDS = ("lon", "lat", "heading_deg", "fov_deg", "range_m")


def _field(label: str, control) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control.id, className="form-label mb-0"), control], className="admin-field")


def _users_section(lang: str, roles: tuple[str, ...], agencies: tuple[str, ...]) -> html.Section:
    buttons = ((ids.ADMIN_USER_CREATE, "admin.create", "btn-primary"), (ids.ADMIN_USER_SET_ROLE, "admin.set_role", "btn-outline-primary"),
               (ids.ADMIN_USER_RESET, "admin.reset", "btn-outline-primary"), (ids.ADMIN_USER_DEACTIVATE, "admin.deactivate", "btn-outline-danger"),
               (ids.ADMIN_USER_ACTIVATE, "admin.activate", "btn-outline-secondary"))
    return html.Section(className="admin-section", children=[
        html.H2(t("admin.users", lang), className="panel-title"),
        html.Div(className="admin-form", children=[
            _field(t("admin.username", lang), dcc.Input(id=ids.ADMIN_USER_NAME, type="text", className="form-control form-control-sm")),
            _field(t("admin.role", lang), dropdown(lang, id=ids.ADMIN_USER_ROLE, options=[{"label": t(f"role.{r}", lang), "value": r} for r in roles], value="viewer", clearable=False)),
            _field(t("admin.agency", lang), dropdown(lang, id=ids.ADMIN_USER_AGENCY, options=[{"label": t(f"agency.{a}", lang), "value": a} for a in agencies])),
            _field(t("admin.password", lang), dcc.Input(id=ids.ADMIN_USER_PASSWORD, type="password", autoComplete="new-password", className="form-control form-control-sm")),
        ]),
        html.Div([html.Button(t(key, lang), id=button_id, className=f"btn btn-sm {style}") for button_id, key, style in buttons], className="admin-buttons"),
        html.Div(id=ids.ADMIN_USER_MESSAGE, className="admin-message", role="status"),
        html.Div(id=ids.ADMIN_USERS_TABLE, className="admin-table"),
    ])


def _cameras_section(lang: str, kinds: tuple[str, ...]) -> html.Section:
    def control(field: str):
        component_id = ids.ADMIN_CAM_FIELDS[field]
        if field == "kind":
            return dropdown(lang, id=component_id, options=[{"label": t(f"kind.{k}", lang), "value": k} for k in kinds])
        return dcc.Input(id=component_id, type="number" if field in NUMBER_FIELDS else "text", className="form-control form-control-sm")

    return html.Section(className="admin-section", children=[
        html.H2(t("admin.cameras", lang), className="panel-title"),
        _field(t("admin.camera_pick", lang), dropdown(lang, id=ids.ADMIN_CAM_PICK)),
        html.Div([_field(t(f"admin.cam.{field}", lang), control(field)) for field in ids.ADMIN_CAM_FIELDS], className="admin-form"),
        html.Div([html.Button(t("admin.save", lang), id=ids.ADMIN_CAM_SAVE, className="btn btn-sm btn-primary"),
                  html.Button(t("admin.delete", lang), id=ids.ADMIN_CAM_DELETE, className="btn btn-sm btn-outline-danger")], className="admin-buttons"),
        html.Div(id=ids.ADMIN_CAM_MESSAGE, className="admin-message", role="status"),
        html.Div(id=ids.ADMIN_CAMERAS_TABLE, className="admin-table"),
    ])


def _data_section(lang: str, kinds: tuple[str, ...], max_upload_bytes: int) -> html.Section:
    """The city's reference data (roads, kecamatan, desa): what is stored, and a file that replaces one."""
    return html.Section(className="admin-section", children=[
        html.H2(t("admin.data", lang), className="panel-title"),
        html.P(t("admin.data.intro", lang)),
        html.Div(id=ids.ADMIN_DATA_SUMMARY, className="admin-table"),
        dcc.RadioItems(id=ids.ADMIN_DATA_KIND, value=kinds[0], className="filter-checklist", inputClassName="form-check-input",
                       options=[{"label": t(f"admin.data.kind.{kind}", lang), "value": kind} for kind in kinds]),
        html.Div(_field(t("admin.roads.source", lang), dcc.Input(id=ids.ADMIN_DATA_SOURCE, type="text", className="form-control form-control-sm",
                                                                  placeholder=t("admin.roads.source_hint", lang))),
                 id=ids.ADMIN_DATA_SOURCE_BOX),
        dcc.Upload(id=ids.ADMIN_DATA_UPLOAD, children=html.Div(t("admin.data.drop", lang).format(mb=max_upload_bytes // 2**20)), className="cov-upload", max_size=max_upload_bytes),
        dcc.Loading(html.Div(id=ids.ADMIN_DATA_MESSAGE, className="admin-message", role="status"), type="dot"),
    ])


def _audit_section(lang: str) -> html.Section:
    return html.Section(className="admin-section", children=[
        html.H2(t("admin.audit", lang), className="panel-title"),
        html.Div(className="admin-form", children=[
            _field(t("admin.username", lang), dcc.Input(id=ids.ADMIN_AUDIT_USER, type="text", className="form-control form-control-sm")),
            _field(t("admin.audit.action", lang), dcc.Input(id=ids.ADMIN_AUDIT_ACTION, type="text", className="form-control form-control-sm")),
            _field(t("admin.audit.dates", lang), date_range_picker(lang, id=ids.ADMIN_AUDIT_DATES)),
        ]),
        html.Div(html.Button(t("admin.audit.search", lang), id=ids.ADMIN_AUDIT_SEARCH, className="btn btn-sm btn-primary"), className="admin-buttons"),
        html.Div(id=ids.ADMIN_AUDIT_TABLE, className="admin-table"),
    ])


def admin_page(lang: str, roles: tuple[str, ...], agencies: tuple[str, ...], kinds: tuple[str, ...], data_kinds: tuple[str, ...],
               max_upload_bytes: int, import_section=None) -> html.Div:
    """The admin page; ``import_section`` (layouts.import_panel) goes after the city data."""
    return html.Div(className="admin-page", children=[
        _users_section(lang, roles, agencies), _cameras_section(lang, kinds), _data_section(lang, data_kinds, max_upload_bytes),
        *([import_section] if import_section is not None else []), _audit_section(lang), _services_section(lang)])


def _services_section(lang: str) -> html.Section:
    """The city's e-services are edited on a page of their own (plain forms, see routes.monitor_pages)."""
    return html.Section(className="admin-section", children=[
        html.H2(t("mon.title", lang), className="panel-title"),
        html.A(t("mon.services_admin", lang), href="/pemantauan/admin/layanan", className="btn btn-outline-primary btn-sm")])


def table(headers: list[str], rows: list[list]) -> html.Table:
    """A plain table; every cell is shown as text."""
    return html.Table(className="table table-sm table-striped", children=[
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr([html.Td("" if v is None else str(v)) for v in row]) for row in rows]),
    ])


def refusal_text(kind: str, error, lang: str) -> str:
    """Why an account or camera change was refused (`kind` "user" or "camera"; `error` a UserError or
    ConfigError with its `code` and `args_`), in the user's language: fields named as the form labels
    them (with their units), numbers written as the user writes them."""
    def readable(name: str, value):
        if name == "field":
            return t(f"admin.cam.{value}", lang)
        if isinstance(value, float):
            return number(value, lang, 0 if value.is_integer() else 2)
        return value

    reason = t(f"{kind}.refused.{error.code}", lang).format(**{name: readable(name, value) for name, value in error.args_.items()})
    return t("admin.error", lang).format(why=reason)
