"""The restaurant-tax page (/pajak): map of taxpayers by worst open flag, a business's figures,
the follow-up list with its case editor, and the uploads of returns and transactions."""
from __future__ import annotations

from datetime import date

import dash_leaflet as dl
import plotly.graph_objects as go
from dash import dcc, html
from dash_extensions.javascript import Namespace

from i18n import t
from i18n.format import month_text, number, rupiah
from layouts import ids
from layouts.controls import dropdown
from layouts.legend import basemap_rows, legend_panel, row
from layouts.map_page import Basemap, base_map
from tax.cases import CASE_STATUSES
from tax.flags import FLAG_KINDS

js = Namespace("ambon", "tax")


def _flag_dot(flag: str) -> html.Span:
    return html.Span(className=f"tax-legend-dot tax-marker tax-flag-{flag}")


def tax_legend(lang: str) -> html.Details:
    rows = [row(_flag_dot(flag), t(f"tax.flag.{flag}", lang)) for flag in FLAG_KINDS] + [row(_flag_dot("none"), t("tax.flag.none", lang))]
    return legend_panel(lang, [(t("tax.legend", lang), rows), (t("base.vector", lang), basemap_rows(lang))], "tax-legend", fold=True)


def tax_map(lang: str, basemap: Basemap) -> dl.Map:
    hideout = {"flags": {flag: t(f"tax.flag.{flag}", lang) for flag in (*FLAG_KINDS, "none")}}
    layer = dl.GeoJSON(id=ids.TAX_LAYER, url="/api/tax/layer.geojson", pointToLayer=js("marker"), hideout=hideout)
    return base_map(lang, basemap, [(t("tax.layer", lang), layer, True)], map_id=ids.TAX_MAP, control_id=ids.TAX_LAYERS_CONTROL)


def _upload(lang: str, upload_id: str, label_key: str) -> html.Div:
    return html.Div([html.Label(t(label_key, lang)),
                     dcc.Upload(id=upload_id, children=html.Div(t("tax.upload.drop", lang)), className="tax-upload", multiple=False)])


def case_editor(lang: str) -> html.Div:
    """The editor of one case (hidden until a case is chosen)."""
    return html.Div(id=ids.TAX_EDITOR, hidden=True, className="tax-editor", children=[
        html.H3(id=ids.TAX_EDITOR_TITLE, className="h6"),
        html.Label(t("tax.col.status", lang)),
        dcc.RadioItems(id=ids.TAX_STATUS, options=[{"label": t(f"tax.status.{s}", lang), "value": s} for s in CASE_STATUSES],
                       inline=True, inputClassName="form-check-input me-1", labelClassName="form-check-label me-3"),
        html.Div(className="d-flex gap-2", children=[
            html.Div([html.Label(t("tax.col.officer", lang), htmlFor=ids.TAX_OFFICER),
                      dcc.Input(id=ids.TAX_OFFICER, type="text", maxLength=80, className="form-control form-control-sm", style={"width": "18rem"})]),
            html.Div([html.Label(t("tax.col.due", lang), htmlFor=ids.TAX_DUE),
                      dcc.Input(id=ids.TAX_DUE, type="date", className="form-control form-control-sm", style={"width": "11rem"})]),
        ]),
        html.Label(t("tax.col.notes", lang), htmlFor=ids.TAX_NOTES),
        dcc.Textarea(id=ids.TAX_NOTES, maxLength=4000, className="form-control form-control-sm", style={"height": "4rem"}),
        html.Button(t("tax.case.save", lang), id=ids.TAX_SAVE, className="btn btn-primary btn-sm mt-2"),
        html.Span(id=ids.TAX_SAVE_MESSAGE, className="ms-2", role="status"),
    ])


def tax_page(lang: str, basemap: Basemap, months: list[date], month: date | None) -> html.Div:
    month_options = [{"label": month_text(m, lang), "value": m.strftime("%Y-%m")} for m in months]
    return html.Div(className="tax-page", children=[
        dcc.Store(id=ids.TAX_BUSINESS), dcc.Store(id=ids.TAX_CASE), dcc.Store(id=ids.TAX_CHANGED, data=0),
        html.Aside(className="side-panel", children=[
            html.H2(t("tax.title", lang), className="panel-title"),
            html.P(t("tax.confidential", lang), className="small text-muted"),
            html.Label(t("tax.month", lang), htmlFor=ids.TAX_MONTH),
            dropdown(lang, id=ids.TAX_MONTH, options=month_options, value=month.strftime("%Y-%m") if month else None, clearable=False),
            dcc.Loading(html.Div(id=ids.TAX_SUMMARY, className="mt-2")),
            dcc.Checklist(id=ids.TAX_OPEN_ONLY, options=[{"label": t("tax.cases.open_only", lang), "value": "open"}], value=["open"],
                          inputClassName="form-check-input me-1", labelClassName="form-check-label"),
            html.Div(className="d-flex gap-2 mt-2", children=[
                html.A(t("tax.export.csv", lang), id=ids.TAX_EXPORT_CSV, className="btn btn-outline-secondary btn-sm"),
                html.A(t("tax.export.xlsx", lang), id=ids.TAX_EXPORT_XLSX, className="btn btn-outline-secondary btn-sm"),
            ]),
            _upload(lang, ids.TAX_UPLOAD_RETURNS, "tax.upload.returns"),
            _upload(lang, ids.TAX_UPLOAD_TRANSACTIONS, "tax.upload.transactions"),
            dcc.Loading(html.Div(id=ids.TAX_UPLOAD_REPORT, className="tax-report", role="status")),
        ]),
        html.Section(className="tax-main", children=[
            html.Div(className="tax-top", children=[
                html.Div(className="tax-map-box", children=[tax_map(lang, basemap), tax_legend(lang)]),
                html.Div(id=ids.TAX_DETAIL, className="tax-detail", children=html.P(t("tax.detail.pick", lang), className="text-muted")),
            ]),
            case_editor(lang),
            html.H3(t("tax.cases", lang), className="h6 mb-0"),
            html.Div(id=ids.TAX_CASES, className="tax-cases"),
        ]),
    ])


CASE_COLUMNS = ("rank", "business", "kind", "explanation", "at_stake", "officer", "status", "due")


def case_table(rows: list[dict], lang: str) -> html.Table | html.P:
    """The follow-up list, best score first: one row per case (dicts keyed by CASE_COLUMNS and `id`);
    the business's name is a button that opens the case."""
    if not rows:
        return html.P(t("tax.cases.none", lang), className="text-muted")

    def cell(row: dict, key: str):
        if key == "business":
            return html.Td(html.Button(row["business"], id={"type": ids.TAX_CASE_OPEN, "id": row["id"]}, className="btn btn-link btn-sm p-0 text-start"))
        return html.Td(row[key], className="text-end text-nowrap" if key == "at_stake" else None)

    head = html.Thead(html.Tr([html.Th(t(f"tax.col.{key}", lang)) for key in CASE_COLUMNS]))
    return html.Table([head, html.Tbody([html.Tr([cell(row, key) for key in CASE_COLUMNS], className=f"tax-case-{row['status_code']}")
                                         for row in rows])], className="table table-sm table-hover tax-case-table")


def summary(total_idr: int, open_cases: int, by_kind: dict[str, int], lang: str) -> html.Div:
    """The month's total at stake and its open cases by kind."""
    return html.Div([
        html.Div(t("tax.at_stake_total", lang), className="small"),
        html.Div(rupiah(total_idr, lang), className="fs-5 fw-bold", id="tax-total"),
        html.Div(f"{number(open_cases, lang)} {t('tax.cases_open', lang)}", className="small"),
        html.Ul([html.Li([_flag_dot(kind), f"{t(f'tax.flag.{kind}', lang)}: {number(n, lang)}"]) for kind, n in by_kind.items()],
                className="list-unstyled small mb-0"),
    ])


def _figure(lang: str, title: str) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(title={"text": title, "font": {"size": 13}}, margin={"l": 60, "r": 10, "t": 30, "b": 30}, height=220,
                         separators=",." if lang == "id" else ".,", legend={"orientation": "h", "y": -0.25}, template="plotly_white",
                         yaxis={"title": {"text": t("tax.chart.rupiah", lang)}, "tickprefix": "Rp ", "tickformat": ",.0f"})
    return figure


def months_chart(months: list, declared: list, expected: list, paid: list, lang: str) -> go.Figure:
    """24 months of tax: on declared turnover, on recorded sales, and paid (rupiah)."""
    figure = _figure(lang, t("tax.chart.months", lang))
    labels = [month_text(m, lang)[:3] + " " + str(m.year)[2:] for m in months]
    figure.update_xaxes(tickangle=-45, nticks=12)
    figure.add_bar(x=labels, y=paid, name=t("tax.chart.paid", lang), marker_color="#2e7d32")
    figure.add_scatter(x=labels, y=declared, name=t("tax.chart.declared", lang), mode="lines+markers", line={"color": "#1565c0"})
    figure.add_scatter(x=labels, y=expected, name=t("tax.chart.expected", lang), mode="lines+markers", line={"color": "#c62828", "dash": "dash"})
    return figure


def days_chart(days: list, sales: list, lang: str) -> go.Figure:
    """Recorded sales per day (rupiah), the last 30 days."""
    figure = _figure(lang, t("tax.chart.days", lang))
    figure.update_xaxes(tickangle=-45, nticks=10)
    figure.add_bar(x=[d.strftime("%d/%m") for d in days], y=sales, name=t("tax.chart.sales", lang), marker_color="#00838f")
    return figure


def detail(business: dict, case_rows: list[tuple[int, str, str, str]], months_figure: go.Figure, days_figure: go.Figure, lang: str) -> html.Div:
    """A business's identity, its cases (id, flag, explanation, status) as buttons that open them, and its two charts."""
    hours = (f"{business['opens_hour']:02d}.00–{business['closes_hour']:02d}.00 WIT" if business.get("opens_hour") is not None else "–")
    return html.Div([
        html.H3(business["name"], className="h6 mb-1", id="tax-detail-name"),
        html.Div(f"{t('tax.col.npwpd', lang)} {business['tax_id']} · {t('business.' + business['category'], lang)}", className="small"),
        html.Div(business.get("address") or "–", className="small"),
        html.Div(f"{t('tax.detail.hours', lang)}: {hours}", className="small mb-1"),
        html.Div(t("tax.detail.cases", lang), className="fw-semibold small") if case_rows else None,
        html.Ul([html.Li([html.Button(f"{t(f'tax.flag.{kind}', lang)} · {t(f'tax.status.{status}', lang)}",
                                      id={"type": ids.TAX_CASE_OPEN, "id": case_id}, className="btn btn-link btn-sm p-0"),
                          html.Div(text, className="tax-explain")]) for case_id, kind, text, status in case_rows],
                className="list-unstyled mb-1"),
        dcc.Graph(figure=months_figure, config={"displayModeBar": False}),
        dcc.Graph(figure=days_figure, config={"displayModeBar": False}),
    ])


def upload_report(report: dict, lang: str) -> html.Div:
    """What became of an uploaded file: stored counts, or the refusal with every rejected row and its reason."""
    head = (t("tax.upload.stored", lang) if report["stored"] else t("tax.upload.refused", lang)).format(
        accepted=number(report["accepted"], lang), duplicate=number(report["duplicate"], lang), rejected=number(report["rejected"], lang))
    rows = [html.Li(f"{t('tax.upload.row', lang).format(row=o['row'] + 1)}: {o['text']}") for o in report["rows"]]
    return html.Div([html.Div(head, className="fw-semibold" + ("" if report["stored"] else " text-danger")), html.Ul(rows, className="mb-0")])


def upload_error(text: str) -> html.Div:
    return html.Div(text, className="text-danger")
