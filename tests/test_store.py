"""The store on SQLite and PostgreSQL: GeoDataFrames in, the same GeoDataFrames out, filtered in SQL."""
from datetime import date, datetime

import geopandas as gpd
import pytest
import shapely

from store import layers
from store.models import AdminArea, Complaint, River, TpsSite


def _complaints():
    return gpd.GeoDataFrame(
        {
            "id": [1, 2, 3],
            "ticket": ["T-1", "T-2", "T-3"],
            "created_at": [datetime(2026, 1, 5, 8), datetime(2026, 2, 1, 9), datetime(2026, 2, 28, 23)],
            "channel": "web",
            "category": ["sampah", "banjir", "sampah"],
            "description": ["<script>alert(1)</script>", "Banjir 40 cm", "Sampah"],
            "status": ["baru", "selesai", "diproses"],
            "agency": ["DLH", "BPBD", "DLH"],
            "kecamatan_code": ["81.71.02", "81.71.02", "81.71.01"],
        },
        geometry=gpd.points_from_xy([128.18, 128.19, 128.30], [-3.69, -3.70, -3.60]),
        crs="EPSG:4326",
    )


def test_points_round_trip_exactly(engine):
    layers.write_features(engine, Complaint, _complaints())
    back = layers.read_complaints(engine, layers.ComplaintFilter(), columns=["id", "description"])
    assert back.id.tolist() == [1, 2, 3]
    assert back.description[0] == "<script>alert(1)</script>"  # stored as given; escaping is the view's job
    assert shapely.get_x(back.geometry.values).tolist() == [128.18, 128.19, 128.30]


def test_shapes_round_trip_with_bbox(engine):
    square = shapely.box(128.1, -3.7, 128.2, -3.6)
    layers.write_features(engine, AdminArea, gpd.GeoDataFrame(
        {"level": ["kecamatan"], "code": ["81.71.02"], "name": ["Sirimau"]}, geometry=[square], crs="EPSG:4326"))
    back = layers.read_admin_areas(engine, "kecamatan")
    assert back.geometry[0].equals(square)
    assert back.name.tolist() == ["Sirimau"]


def test_projected_input_is_stored_as_lonlat(engine):
    metric = gpd.GeoDataFrame({"name": ["TPS A"]}, geometry=gpd.points_from_xy([128.18], [-3.69]), crs="EPSG:4326").to_crs(32752)
    layers.write_features(engine, TpsSite, metric)
    back = layers.read_features(engine, TpsSite)
    assert back.geometry[0].x == pytest.approx(128.18, abs=1e-9)


def test_features_without_crs_are_refused(engine):
    with pytest.raises(ValueError, match="no CRS"):
        layers.write_features(engine, TpsSite, gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(0, 0)]))


@pytest.mark.parametrize(
    ("complaint_filter", "expected_ids"),
    [
        (layers.ComplaintFilter(), [1, 2, 3]),
        (layers.ComplaintFilter(statuses=("baru", "diproses")), [1, 3]),
        (layers.ComplaintFilter(categories=("banjir",)), [2]),
        (layers.ComplaintFilter(agencies=("DLH",), kecamatan_codes=("81.71.01",)), [3]),
        (layers.ComplaintFilter(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)), [2, 3]),
        (layers.ComplaintFilter(date_to=date(2026, 1, 31)), [1]),
    ],
)
def test_complaint_filters(engine, complaint_filter, expected_ids):
    layers.write_features(engine, Complaint, _complaints())
    assert layers.read_complaints(engine, complaint_filter).id.tolist() == expected_ids


def test_bbox_and_counts(engine):
    layers.write_features(engine, Complaint, _complaints())
    city_centre = (128.15, -3.75, 128.25, -3.65)
    assert layers.read_complaints(engine, layers.ComplaintFilter(), bbox=city_centre).id.tolist() == [1, 2]
    assert layers.count_complaints_by_status(engine, layers.ComplaintFilter(), bbox=city_centre) == {"baru": 1, "selesai": 1}
    assert layers.count_in_bbox(engine, Complaint, None) == 3
    assert layers.ids_in_bbox(engine, Complaint, city_centre) == [1, 2]
    assert layers.ids_in_bbox(engine, Complaint, None) == [1, 2, 3]
    assert layers.complaint_date_range(engine) == (date(2026, 1, 5), date(2026, 2, 28))


def test_line_bbox_query_finds_crossing_lines(engine):
    # a river crossing the box, with no vertex inside it, must still be found
    crossing = shapely.LineString([(128.0, -3.7), (128.4, -3.7)])
    elsewhere = shapely.LineString([(127.0, -3.0), (127.1, -3.0)])
    layers.write_features(engine, River, gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[crossing, elsewhere], crs="EPSG:4326"))
    assert layers.read_features(engine, River, bbox=(128.1, -3.75, 128.2, -3.65)).name.tolist() == ["A"]


def test_rows_added_after_explicit_ids_get_new_ids(engine):
    layers.write_features(engine, Complaint, _complaints())
    more = _complaints().drop(columns="id").iloc[:1].assign(ticket="T-4")
    assert layers.write_features(engine, Complaint, more) == [4]


def test_seeded_demo_reads_back(engine, demo_city):
    from demo.seed import write_demo_city

    write_demo_city(engine, demo_city)
    assert not layers.is_empty(engine)
    assert len(layers.read_admin_areas(engine, "desa")) == 50
    assert sum(layers.count_complaints_by_status(engine, layers.ComplaintFilter()).values()) == 5000
    from tax.store import read_returns

    returns = read_returns(engine, 1)
    assert returns.month.is_monotonic_increasing and len(returns) == 24
