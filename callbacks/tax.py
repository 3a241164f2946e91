"""Restaurant-tax page (/pajak) callbacks: thin glue between tax.* and layouts.tax_page.

Choosing a month computes its flags and opens a case for each new one (tax.monitor); the list,
the summary, the exports and the map follow. Every display of a business's figures is audited
("tax.view", and "tax.list" for the follow-up list of a month).
"""
from __future__ import annotations

from datetime import date, datetime
from functools import partial

import dash
from dash import ALL, Dash, Input, Output, State, ctx, no_update

from uploads import UploadRejected, decode_data_url
from routes.auth import audit_event, current_actor
from i18n import normalise_language, reason, t
from i18n.format import rupiah
from i18n.tax import explain
from layouts import ids
from layouts import tax_page as view
from routes.language import request_language
from routes.tax import month_of
from services import current_services
from tax import cases, flags, monitor, store
from tax.ingest import RETURN_COLUMNS, TRANSACTION_COLUMNS, RowError, rows_from_file

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def _report_rows(report, lang: str) -> dict:
    shown = sorted(report.rejected + report.duplicate, key=lambda o: o.row)[:200]
    return {**report.to_dict(partial(reason, "tax", lang=lang)), "rows": [{"row": o.row, "text": reason("tax", o.code, o.args, lang)} for o in shown]}


def tax_layout(**_query):
    services = current_services()
    months = store.returns_months(services.engine)
    judged = monitor.latest_due_month(monitor.wit_today(_utcnow()), services.settings.tax_due_day)
    chosen = judged if judged in months else (months[0] if months else None)
    return view.tax_page(request_language(), services.basemap(), months, chosen)


def register(app: Dash) -> None:
    dash.register_page("pajak", path="/pajak", order=50, name=t("nav.tax", "id"), title=t("nav.tax", "id"), layout=tax_layout,
                       nav_key="nav.tax", permission="tax")

    @app.callback(
        Output(ids.TAX_CASES, "children"), Output(ids.TAX_SUMMARY, "children"), Output(ids.TAX_EXPORT_CSV, "href"),
        Output(ids.TAX_EXPORT_XLSX, "href"), Output(ids.TAX_LAYER, "url"),
        Input(ids.TAX_MONTH, "value"), Input(ids.TAX_OPEN_ONLY, "value"), Input(ids.TAX_CHANGED, "data"), State(ids.LANG_STORE, "data"),
    )
    def case_list(month_value, open_only, changed, lang):
        lang = normalise_language(lang)
        month = month_of(month_value)
        if month is None:
            return view.case_table([], lang), None, None, None, no_update
        services = current_services()
        engine, settings = services.engine, services.settings
        if ctx.triggered_id in (None, ids.TAX_MONTH):
            monitor.refresh_cases(engine, month, _utcnow(), settings.tax_rate, settings.tax_due_day)
        frame = cases.read_cases(engine, month=month, open_only=bool(open_only), with_open_silent=True)
        audit_event("tax.list", month.strftime("%Y-%m"), {"cases": len(frame)})
        rows = [{"id": int(c.id), "rank": rank, "business": c.name, "kind": t(f"tax.flag.{c.kind}", lang),
                 "explanation": explain(c.kind, c.facts, lang), "at_stake": rupiah(c.at_stake_idr, lang), "officer": c.officer or "",
                 "status": t(f"tax.status.{c.status}", lang), "status_code": c.status, "due": c.due_on.strftime("%d-%m-%Y") if c.due_on else ""}
                for rank, c in enumerate(frame.itertuples(), start=1)]
        still_open = frame[frame["status"].isin(cases.OPEN_STATUSES)]
        by_kind = {kind: int((still_open["kind"] == kind).sum()) for kind in flags.FLAG_KINDS}
        query = f"?month={month:%Y-%m}" + ("&open=1" if open_only else "")
        return (view.case_table(rows, lang), view.summary(int(still_open["at_stake_idr"].sum()), len(still_open), by_kind, lang),
                f"/api/tax/cases.csv{query}", f"/api/tax/cases.xlsx{query}", f"/api/tax/layer.geojson?v={changed or 0}")

    @app.callback(
        Output(ids.TAX_BUSINESS, "data"), Output(ids.TAX_CASE, "data"),
        Input(ids.TAX_LAYER, "clickData"), Input({"type": ids.TAX_CASE_OPEN, "id": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def choose(feature, _clicks):
        """A marker shows its business and opens its worst open case; a case's button opens that case."""
        if ctx.triggered_id == ids.TAX_LAYER:
            business_id = int(((feature or {}).get("properties") or {}).get("id") or 0)
            open_cases = cases.read_cases(current_services().engine, open_only=True, business_id=business_id)
            return business_id, (int(open_cases["id"].iloc[0]) if len(open_cases) else None)
        if isinstance(ctx.triggered_id, dict) and ctx.triggered and ctx.triggered[0]["value"]:
            case = cases.read_case(current_services().engine, int(ctx.triggered_id["id"]))
            if case is not None:
                return int(case["business_id"]), int(case["id"])
        return no_update, no_update

    @app.callback(
        Output(ids.TAX_DETAIL, "children"),
        Input(ids.TAX_BUSINESS, "data"), Input(ids.TAX_CHANGED, "data"), State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def show_business(business_id, _changed, lang):
        lang = normalise_language(lang)
        services = current_services()
        engine = services.engine
        business = store.read_taxpayer(engine, int(business_id or 0))
        if business is None:
            return no_update
        audit_event("tax.view", f"business:{business['id']}", {"npwpd": business["tax_id"]})
        figures = store.business_figures(engine, business["id"], monitor.wit_today(_utcnow()), services.settings.tax_rate)
        own = cases.read_cases(engine, business_id=business["id"])
        case_rows = [(int(c.id), c.kind, explain(c.kind, c.facts, lang), c.status) for c in own.itertuples()]
        return view.detail(business, case_rows, view.months_chart(*figures["months"], lang), view.days_chart(*figures["days"], lang), lang)

    @app.callback(
        Output(ids.TAX_EDITOR, "hidden"), Output(ids.TAX_EDITOR_TITLE, "children"), Output(ids.TAX_STATUS, "value"),
        Output(ids.TAX_OFFICER, "value"), Output(ids.TAX_DUE, "value"), Output(ids.TAX_NOTES, "value"), Output(ids.TAX_SAVE_MESSAGE, "children"),
        Input(ids.TAX_CASE, "data"), State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def open_case(case_id, lang):
        lang = normalise_language(lang)
        case = cases.read_case(current_services().engine, int(case_id or 0))
        if case is None:
            return True, "", None, "", None, "", ""
        kind = case["kind"]
        title = f"{t('tax.case.title', lang)} #{case['id']} · {case['name']} · {t('tax.flag.' + kind, lang)}: {explain(kind, case['facts'], lang)}"
        return (False, title, case["status"], case["officer"] or "", case["due_on"].isoformat() if case["due_on"] else None,
                case["notes"] or "", "")

    @app.callback(
        Output(ids.TAX_SAVE_MESSAGE, "children", allow_duplicate=True), Output(ids.TAX_CHANGED, "data"),
        Input(ids.TAX_SAVE, "n_clicks"),
        State(ids.TAX_CASE, "data"), State(ids.TAX_STATUS, "value"), State(ids.TAX_OFFICER, "value"), State(ids.TAX_DUE, "value"),
        State(ids.TAX_NOTES, "value"), State(ids.TAX_CHANGED, "data"), State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def save(_clicks, case_id, status, officer, due, notes, changed, lang):
        lang = normalise_language(lang)
        try:
            due_on = date.fromisoformat(due) if due else None
        except (TypeError, ValueError):
            return t("tax.case.error.bad_date", lang), no_update
        try:
            cases.update_case(current_services().engine, int(case_id or 0), by=current_actor() or "?", now=_utcnow(), status=status,
                              officer=officer or "", notes=notes or "", due_on=due_on)
        except cases.CaseError as error:
            return t(f"tax.case.error.{error.code}", lang), no_update
        audit_event("tax.case.update", f"case:{case_id}", {"status": status, "officer": officer or ""})
        closed = status not in cases.OPEN_STATUSES
        return t("tax.case.closed" if closed else "tax.case.saved", lang), (changed or 0) + 1

    def _upload(contents: str | None, changed: int | None, lang: str, what: str, handle) -> tuple:
        """(report, the bumped change counter, None to empty the upload so the same file can come again)."""
        try:
            data = decode_data_url(contents or "", MAX_UPLOAD_BYTES)
            report = handle(data)
        except (UploadRejected, RowError, UnicodeDecodeError, ValueError) as error:
            why = reason("tax", error.code, error.args_, lang) if isinstance(error, RowError) else t("tax.upload.not_table", lang)
            audit_event(f"import.{what}", None, {"refused": str(error)[:300]})
            return view.upload_error(t("tax.upload.bad_file", lang).format(reason=why)), no_update, None
        audit_event(f"import.{what}", None, {"accepted": len(report.accepted), "duplicate": len(report.duplicate),
                                              "rejected": len(report.rejected), "stored": report.stored})
        return view.upload_report(_report_rows(report, lang), lang), (changed or 0) + 1, None

    @app.callback(
        Output(ids.TAX_UPLOAD_REPORT, "children"), Output(ids.TAX_CHANGED, "data", allow_duplicate=True),
        Output(ids.TAX_UPLOAD_RETURNS, "contents"),
        Input(ids.TAX_UPLOAD_RETURNS, "contents"), State(ids.TAX_CHANGED, "data"), State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def upload_returns(contents, changed, lang):
        lang = normalise_language(lang)

        def handle(data: bytes):
            rows = rows_from_file(data, RETURN_COLUMNS)
            return store.import_returns(current_services().engine, rows, monitor.wit_today(_utcnow()))

        return _upload(contents, changed, lang, "tax_returns", handle)

    @app.callback(
        Output(ids.TAX_UPLOAD_REPORT, "children", allow_duplicate=True), Output(ids.TAX_CHANGED, "data", allow_duplicate=True),
        Output(ids.TAX_UPLOAD_TRANSACTIONS, "contents"),
        Input(ids.TAX_UPLOAD_TRANSACTIONS, "contents"), State(ids.TAX_CHANGED, "data"), State(ids.LANG_STORE, "data"),
        prevent_initial_call=True,
    )
    def upload_transactions(contents, changed, lang):
        lang = normalise_language(lang)

        def handle(data: bytes):
            return store.ingest_transactions(current_services().engine, rows_from_file(data, TRANSACTION_COLUMNS), now=_utcnow(), all_or_nothing=True)

        return _upload(contents, changed, lang, "tax_transactions", handle)

