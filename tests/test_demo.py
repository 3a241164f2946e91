"""The demo city: deterministic, complete, believable, and on land inside Ambon."""
import geopandas as gpd
import pandas as pd
import shapely

from demo.generator import LAND_MARGIN_M, build_demo_city, city_outline_m
from geo.crs import AMBON_UTM
from store.vocabulary import COMPLAINT_CATEGORY_AGENCY


def test_same_seed_same_city(demo_city):
    again = build_demo_city()
    for name, layer in demo_city.point_layers().items():
        assert layer.geometry.geom_equals_exact(again.point_layers()[name].geometry, tolerance=0).all(), name
    pd.testing.assert_frame_equal(demo_city.businesses.drop(columns="geometry"), again.businesses.drop(columns="geometry"))


def test_layer_sizes(demo_city):
    assert len(demo_city.kecamatan) == 5
    assert len(demo_city.desa) == 50 and demo_city.desa.code.is_unique
    assert demo_city.cameras.kind.value_counts().to_dict() == {"road": 20, "river": 9, "tps": 8}
    assert len(demo_city.tps) == 30
    assert len(demo_city.complaints) == 5000
    assert len(demo_city.businesses) == 400
    assert set(demo_city.rivers.name) == {"Wai Batu Merah", "Wai Ruhu", "Wai Tomu", "Wai Batu Gajah", "Wai Batu Gantung"}
    assert set(demo_city.flood_zones.hazard) == {1, 2, 3}


def test_complaints_are_routed_to_their_agency(demo_city):
    c = demo_city.complaints
    assert (c.agency == c.category.map(COMPLAINT_CATEGORY_AGENCY)).all()
    span = c.created_at.max() - c.created_at.min()
    assert span.days > 700  # 24 months
    assert (c.responded_at.isna() | (c.responded_at >= c.created_at)).all()


def test_response_times_are_uneven_between_agencies(demo_city):
    c = demo_city.complaints
    hours = (c.responded_at - c.created_at).dt.total_seconds() / 3600
    medians = hours.groupby(c.agency).median()
    assert medians["PUPR"] > 5 * medians["BPBD"]


def test_points_lie_inside_the_outline_with_margin_and_in_a_desa(demo_city):
    land = city_outline_m().buffer(-LAND_MARGIN_M + 1)
    for name, layer in demo_city.point_layers().items():
        metric = layer.to_crs(AMBON_UTM)
        assert shapely.contains_xy(land, metric.geometry.x, metric.geometry.y).all(), name
        assert layer.desa_code.notna().all(), name


def test_businesses_have_what_the_tax_office_needs(demo_city):
    from store.vocabulary import BUSINESS_CATEGORIES

    businesses = demo_city.businesses
    assert set(businesses.category) == set(BUSINESS_CATEGORIES) and businesses.tax_id.is_unique
    assert businesses.address.str.startswith("Jl. ").all()
    assert ((0 <= businesses.opens_hour) & (businesses.opens_hour < businesses.closes_hour) & (businesses.closes_hour <= 24)).all()


def test_demo_points_fall_inside_the_real_city_boundary(demo_city, shared_geodata):
    boundary = gpd.read_file(shared_geodata / "ambon_kota_boundary_wb.geojson").union_all()
    island = gpd.read_file(shared_geodata / "ambon_island_polygon_derived.geojson").union_all()
    for name, layer in demo_city.point_layers().items():
        assert layer.within(boundary).all(), f"{name} outside Kota Ambon"
        assert layer.within(island).all(), f"{name} off Ambon island (in the sea)"


def test_demo_desa_codes_are_the_official_ones(demo_city, shared_geodata):
    real = gpd.read_file(shared_geodata / "ambon_desa_kelurahan_wb.geojson")
    assert set(demo_city.desa.code) == set(real.kode)
    assert set(demo_city.kecamatan.code) == set(gpd.read_file(shared_geodata / "ambon_kecamatan_wb.geojson").kode)
