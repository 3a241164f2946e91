import geopandas as gpd
import orjson
import shapely

from geo.geojson import to_geojson_bytes


def test_points_carry_only_the_asked_properties_rounded():
    gdf = gpd.GeoDataFrame({"id": [7], "secret_phone": ["0811"], "status": ["baru"]},
                           geometry=[shapely.Point(128.1234567, -3.6543219)], crs="EPSG:4326")
    doc = orjson.loads(to_geojson_bytes(gdf, ["id", "status"], decimals=5))
    feature = doc["features"][0]
    assert feature["properties"] == {"id": 7, "status": "baru"}
    assert feature["geometry"] == {"type": "Point", "coordinates": [128.12346, -3.65432]}


def test_polygons_are_reprojected_to_lonlat():
    square = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(128.0, -3.7, 128.1, -3.6)], crs="EPSG:4326").to_crs(32752)
    doc = orjson.loads(to_geojson_bytes(square, ["name"]))
    xs = [x for x, _ in doc["features"][0]["geometry"]["coordinates"][0]]
    assert min(xs) == 128.0 and max(xs) == 128.1


def test_missing_values_become_null_and_no_properties_is_allowed():
    gdf = gpd.GeoDataFrame({"v": [None]}, geometry=[shapely.Point(1, 2)], crs="EPSG:4326")
    assert orjson.loads(to_geojson_bytes(gdf, ["v"]))["features"][0]["properties"] == {"v": None}
    assert orjson.loads(to_geojson_bytes(gdf, []))["features"][0]["properties"] == {}
