"""The complaints desk's pages as built: the map on the offline basemap, the monthly charts clipped to their data."""
import pandas as pd


def test_performance_charts_hold_only_the_months_with_data():
    from dash import dcc

    from layouts.complaints_page import performance_page

    monthly = pd.DataFrame({"agency": ["DLH", "DLH", "PUPR"], "month": ["2026-11", "2026-12", "2026-10"], "received": [3, 4, 1],
                            "resolved": [2, 3, 1], "within_deadline": [0.5, 1.0, 0.0]})
    summary = pd.DataFrame({"agency": ["DLH"], "received": [7], "median_response_days": [1.0], "median_completion_days": [2.0],
                            "within_deadline": [0.8], "backlog": [1]})
    backlog = pd.DataFrame({"agency": ["DLH"], "age": ["0-3"], "open": [1]})
    page = performance_page("id", {"summary": summary, "monthly": monthly, "backlog": backlog}, "", None)
    graphs, stack = [], [page]
    while stack:
        node = stack.pop()
        if isinstance(node, dcc.Graph):
            graphs.append(node.figure)
        children = getattr(node, "children", None)
        stack.extend(children if isinstance(children, list) else [children] if children is not None else [])
    monthly_axes = [g.layout.xaxis for g in graphs if g.layout.xaxis.title.text and "ulan" in g.layout.xaxis.title.text]
    assert len(monthly_axes) == 2 and all(axis.type == "category" for axis in monthly_axes)  # no padding into months without data


def test_the_complaints_desk_map_draws_the_offline_basemap():
    import dash_leaflet as dl

    from layouts.complaints_page import desk_page
    from layouts.map_page import Basemap

    page = desk_page("id", Basemap("", "", "© OpenStreetMap contributors"), agency=None, import_token=None)
    found, stack = [], [page]
    while stack:
        node = stack.pop()
        found.append(node)
        children = getattr(node, "children", None)
        stack.extend(children if isinstance(children, list) else [children] if children is not None else [])
    panes = [n for n in found if isinstance(n, dl.Pane) and n.name == "land"]
    assert panes, "no land pane under the desk map"
    urls = {getattr(n, "url", None) for n in found if isinstance(n, dl.GeoJSON)}
    assert any("land" in (u or "") for u in urls) and any("roads" in (u or "") for u in urls)
    credits = [n for n in found if isinstance(n, dl.AttributionControl)]
    assert credits and "OpenStreetMap" in credits[0].prefix
