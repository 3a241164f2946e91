"""Layer imports (imports/): every layer exported and re-imported equal in every format, the CRS
cases, the suggested column mapping, the row report on bad input, all-or-nothing, a failed commit
that leaves the store as it was, undo, and the command line."""
import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from sqlalchemy import func, select

from auth import audit
from demo.generator import build_demo_city
from demo.seed import write_demo_city
from geo.crs import AMBON_UTM, WGS84
from imports import commit as commit_module
from imports.commit import commit, history, remembered_mapping, undo
from imports.export import FORMATS, export_bytes, layer_frame
from imports.models import LayerImport
from imports.prepare import prepare, suggest_mapping
from geo.reader import ImportRefused, read_bytes, read_path
from imports.report import refusal_text, report_lines
from imports.specs import SPECS
from imports import load
from store.db import make_engine

OBSTACLES = gpd.GeoDataFrame({"name": ["Gedung A", "Bukit B"], "height_m": [18.5, 60.0], "floors": [5, None]},
                             geometry=[shapely.box(128.18, -3.70, 128.181, -3.699), shapely.box(128.20, -3.71, 128.21, -3.70)], crs=WGS84)


@pytest.fixture(scope="module")
def small_city():
    return build_demo_city(n_complaints=120, n_businesses=30)


@pytest.fixture
def store(engine, small_city):
    write_demo_city(engine, small_city)
    spec = SPECS["obstacles"]
    commit(engine, prepare(read_bytes(export_bytes(OBSTACLES, "obstacles", "geojson")), spec), username="test")
    return engine


def file_of(layer: str, frame: gpd.GeoDataFrame, fmt: str = "geojson") -> bytes:
    return export_bytes(frame, layer, fmt)


def zipped(folder) -> bytes:
    """A folder's files zipped under data/, as offices send a Shapefile."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for part in folder.iterdir():
            z.write(part, f"data/{part.name}")
    return archive.getvalue()


def points(**columns) -> gpd.GeoDataFrame:
    lon, lat = columns.pop("lon"), columns.pop("lat")
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


@pytest.mark.parametrize("layer", list(SPECS))
def test_every_layer_exports_and_reimports_equal_in_every_format(store, layer):
    before = layer_frame(store, layer)
    assert len(before) > 0
    for fmt in FORMATS:
        prepared = prepare(read_bytes(export_bytes(before, layer, fmt)), SPECS[layer])
        assert prepared.counts["refused"] == 0 and prepared.counts["repaired"] == 0, (fmt, prepared.problems(3))
        commit(store, prepared, username="test", source_name=f"{layer}.{fmt}", mode="replace")
        assert_geodataframe_equal(layer_frame(store, layer), before, check_less_precise=True, check_dtype=False)


def test_shapefile_in_utm_52s_with_indonesian_columns(store, tmp_path):
    cameras = points(lon=[128.1800, 128.1901], lat=[-3.6950, -3.7002], nama_cctv=["CCTV Tugu", "CCTV Pasar"],
                     arah=[90.0, 270.0], sudut_pand=[60.0, 90.0], jangkauan=[80.0, 120.0], jenis=["jalan", "jalan"]).to_crs(AMBON_UTM)
    folder = tmp_path / "shp"
    folder.mkdir()
    cameras.to_file(folder / "cctv.shp")
    raw = read_bytes(zipped(folder))
    assert raw.kind == "shapefile" and raw.frame.crs.to_epsg() == 32752
    prepared = prepare(raw, SPECS["cameras"])
    assert prepared.mapping["name"] == "nama_cctv" and prepared.mapping["heading_deg"] == "arah"
    assert prepared.mapping["fov_deg"] == "sudut_pand" and prepared.mapping["range_m"] == "jangkauan"
    features = prepared.features
    assert np.allclose(features.geometry.x, [128.18, 128.1901], atol=1e-7) and np.allclose(features.geometry.y, [-3.695, -3.7002], atol=1e-7)
    assert list(features["kind"]) == ["road", "road"] and list(features["range_m"]) == [80.0, 120.0]


def test_declared_crs_is_honoured_and_a_missing_one_is_asked_for(tmp_path):
    tps = points(lon=[128.18], lat=[-3.69], nama=["TPS Mardika"], kapasitas=["8"])
    tps.to_crs("EPSG:4755").to_file(tmp_path / "dgn95.gpkg")
    raw = read_path(tmp_path / "dgn95.gpkg")
    assert raw.frame.crs.to_epsg() == 4755
    assert prepare(raw, SPECS["tps"]).features.geometry.iloc[0].distance(shapely.Point(128.18, -3.69)) < 1e-4
    metres = tps.to_crs(AMBON_UTM)
    csv = f"x;y;nama\n{metres.geometry.x[0]:.2f};{metres.geometry.y[0]:.2f};TPS Mardika\n".encode()
    with pytest.raises(ImportRefused) as asked:
        read_bytes(csv)
    assert asked.value.code == "no_crs"
    assert "CRS" in refusal_text(asked.value, "id")
    taken = prepare(read_bytes(csv, crs="EPSG:32752"), SPECS["tps"]).features
    assert taken.geometry.iloc[0].distance(shapely.Point(128.18, -3.69)) < 1e-6
    folder = tmp_path / "shp"
    folder.mkdir()
    tps.to_file(folder / "tps.shp")
    (folder / "tps.prj").unlink()
    with pytest.raises(ImportRefused) as no_prj:
        read_bytes(zipped(folder))
    assert no_prj.value.code == "no_crs"
    assert len(read_bytes(zipped(folder), crs="EPSG:4326").frame) == 1
    with pytest.raises(ImportRefused) as bad:
        read_bytes(csv, crs="EPSG:99999999")
    assert bad.value.code == "bad_crs"


def test_mapping_is_suggested_from_indonesian_and_english_names():
    cameras = suggest_mapping(["Nama", "Arah", "Sudut Pandang", "Jangkauan (m)", "Jenis", "URL"], SPECS["cameras"])
    assert cameras == {"name": "Nama", "kind": "Jenis", "heading_deg": "Arah", "fov_deg": "Sudut Pandang", "range_m": "Jangkauan (m)",
                       "stream_url": "URL", "group": None}
    gauges = suggest_mapping(["Kode Pos", "Nama Pos", "Normal", "Ambang Waspada", "Ambang Siaga", "Ambang Awas"], SPECS["gauges"])
    assert gauges["siaga_cm"] == "Ambang Siaga" and gauges["awas_cm"] == "Ambang Awas" and gauges["code"] == "Kode Pos"
    assert suggest_mapping(["name", "capacity"], SPECS["tps"]) == {"name": "name", "capacity_m3": "capacity"}
    assert suggest_mapping(["Kategori", "Nama"], SPECS["businesses"])["category"] == "Kategori"
    remembered = suggest_mapping(["Nama", "Lokasi", "Kapasitas"], SPECS["tps"], {"name": "Lokasi", "capacity_m3": "gone"})
    assert remembered == {"name": "Lokasi", "capacity_m3": "Kapasitas"}


def test_bad_rows_are_each_accounted_for_with_their_row_number():
    csv = ("nama;lintang;bujur;kapasitas\n"
           "TPS Batu Merah;-3,6952;128,1831;8\n"           # decimal commas
           "TPS Galala;3°41'52\"S;128°11'40\"E;6\n"        # degrees-minutes-seconds
           "<script>alert(1)</script>TPS Rijali;-3.69;128.18;10\n"
           "TPS Jakarta;-6.2;106.8;5\n"                     # a point in Jakarta
           ";;;\n"                                          # an empty row
           "TPS Tanpa Kapasitas;-3.70;128.19;banyak\n")
    prepared = prepare(read_bytes(csv.encode()), SPECS["tps"])
    status = dict(zip(prepared.report.row, prepared.report.status))
    assert status == {2: "repaired", 3: "repaired", 4: "repaired", 5: "refused", 6: "refused", 7: "refused"}
    reasons = {row: [code for code, _ in notes] for row, notes in zip(prepared.report.row, prepared.report.reasons)}
    assert reasons[2] == ["decimal_comma"] and reasons[3] == ["dms"] and reasons[4] == ["markup_removed"]
    assert reasons[5] == ["outside_region"] and reasons[6] == ["empty_row"] and reasons[7] == ["bad_number"]
    taken = prepared.features
    assert list(taken["name"]) == ["TPS Batu Merah", "TPS Galala", "alert(1)TPS Rijali"]
    assert taken.geometry.iloc[1].distance(shapely.Point(128 + 11 / 60 + 40 / 3600, -(3 + 41 / 60 + 52 / 3600))) < 1e-9
    lines = report_lines(prepared, "id")
    assert lines[0][0] == 5 and lines[0][1] == "ditolak" and "di luar Ambon" in lines[0][2]
    assert any("banyak" in reason for _, _, reason in lines)


def test_a_bowtie_is_made_valid_and_lat_lon_rings_are_swapped_back():
    bowtie = {"type": "Polygon", "coordinates": [[[128.18, -3.70], [128.19, -3.69], [128.19, -3.70], [128.18, -3.69], [128.18, -3.70]]]}
    lat_lon = {"type": "Polygon", "coordinates": [[[-3.70, 128.18], [-3.70, 128.19], [-3.69, 128.19], [-3.69, 128.18], [-3.70, 128.18]]]}
    unclosed = {"type": "Polygon", "coordinates": [[[128.20, -3.70], [128.21, -3.70], [128.21, -3.69], [128.20, -3.69]]]}
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nama": f"Zona {i}", "tingkat_bahaya": hazard}, "geometry": g}
        for i, (g, hazard) in enumerate([(bowtie, 3), (lat_lon, "sedang"), (unclosed, 1)])]}
    prepared = prepare(read_bytes(json.dumps(collection).encode()), SPECS["flood_zones"])
    reasons = [[code for code, _ in notes] for notes in prepared.report.reasons]
    assert reasons[0] == ["made_valid"] and reasons[1] == ["swapped_lonlat"]
    assert prepared.counts == {"taken": 0, "repaired": 3, "refused": 0}
    assert reasons[2] == ["ring_closed"]
    zones = prepared.features
    assert zones.geometry.is_valid.all() and list(zones["hazard"]) == [3, 2, 1]
    assert zones.geometry.iloc[1].equals(shapely.box(128.18, -3.70, 128.19, -3.69))


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>CCTV Kota Ambon</name>
<Style id="merah"><IconStyle><color>ff0000ff</color><scale>1.2</scale></IconStyle></Style>
<Folder><name>Jalan</name>
 <Placemark><name>CCTV Tugu Trikora</name><styleUrl>#merah</styleUrl>
  <ExtendedData><Data name="arah"><value>135</value></Data><Data name="jangkauan"><value>90</value></Data></ExtendedData>
  <Point><coordinates>128.1817,-3.6955,0</coordinates></Point></Placemark>
</Folder>
<Folder><name>Sungai</name>
 <Placemark><name>CCTV Wai Batu Merah</name><styleUrl>#merah</styleUrl><Point><coordinates>128.1934,-3.6862</coordinates></Point></Placemark>
</Folder></Document></kml>"""


def test_a_kmz_with_folders_and_styles():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", KML)
        z.writestr("images/icon.png", b"\x89PNG\r\n\x1a\n")
    raw = read_bytes(archive.getvalue())
    assert raw.kind == "kmz" and list(raw.frame["folder"]) == ["Jalan", "Sungai"]
    prepared = prepare(raw, SPECS["cameras"])
    assert list(prepared.features["name"]) == ["CCTV Tugu Trikora", "CCTV Wai Batu Merah"]
    assert prepared.features["heading_deg"].iloc[0] == 135.0 and prepared.counts["refused"] == 0


def test_an_xlsx_with_a_title_and_merged_header_cells():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Data Pos Duga Air BWS Maluku"])
    sheet.merge_cells("A1:G1")
    sheet.append(["Kode", "Nama Pos", "Koordinat", None, "Ambang (cm)", None, None])
    sheet.append([None, None, "Lintang", "Bujur", "Waspada", "Siaga", "Awas"])
    for cells in ("A2:A3", "B2:B3", "C2:D2", "E2:G2"):
        sheet.merge_cells(cells)
    sheet.append(["AWLR-1", "AWLR Wai Ruhu", "3°40'19\"S", "128°12'25\"E", 140, 190, 240])
    buffer = io.BytesIO()
    book.save(buffer)
    raw = read_bytes(buffer.getvalue())
    assert raw.kind == "xlsx" and "Ambang (cm) Siaga" in raw.columns
    prepared = prepare(raw, SPECS["gauges"], {"code": "Kode", "name": "Nama Pos", "normal_cm": "Ambang (cm) Waspada",
                                              "waspada_cm": "Ambang (cm) Waspada", "siaga_cm": "Ambang (cm) Siaga", "awas_cm": "Ambang (cm) Awas"})
    assert prepared.report.row.tolist() == [4]
    assert [code for code, _ in prepared.report.reasons.iloc[0]] == ["not_ascending"]
    mapping = suggest_mapping(raw.columns, SPECS["gauges"])
    assert mapping["siaga_cm"] == "Ambang (cm) Siaga" and mapping["name"] == "Nama Pos"


def test_a_200_mb_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("the whole file was read"))
    with pytest.raises(ImportRefused) as refused:
        read_path(huge)
    assert refused.value.code == "too_large" and "terlalu besar" in refusal_text(refused.value, "id")


def test_a_zip_bomb_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("layer.shp", b"\x00" * (40 * 1024 * 1024))
        z.writestr("layer.dbf", b"")
    with pytest.raises(ImportRefused) as refused:
        read_bytes(archive.getvalue())
    assert refused.value.code == "zip_bomb"


def camera_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(SPECS["cameras"].model)).scalar_one()


def test_all_or_nothing_and_a_failed_commit_leave_the_store_as_it_was(store, monkeypatch):
    before = layer_frame(store, "cameras")
    csv = b"nama,lon,lat\nCCTV Baru,128.18,-3.69\nCCTV Jakarta,106.8,-6.2\n"
    prepared = prepare(read_bytes(csv), SPECS["cameras"])
    with pytest.raises(ImportRefused) as refused:
        commit(store, prepared, username="test", all_or_nothing=True)
    assert refused.value.code == "rows_refused"

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(commit_module, "_delete_unreferenced", broken)
    with pytest.raises(RuntimeError):
        commit(store, prepared, username="test")
    assert_geodataframe_equal(layer_frame(store, "cameras"), before)
    assert history(store, "cameras") == []


def test_an_import_replaces_the_layer_and_undo_puts_it_back(store):
    before = layer_frame(store, "cameras")
    csv = "nama,lon,lat,arah\nCCTV Jembatan Merah Putih,128.2125,-3.6587,45\n" + f"{before.name.iloc[0]},128.1801,-3.6951,10\n"
    done = commit(store, prepare(read_bytes(csv.encode()), SPECS["cameras"]), username="admin", source_name="baru.csv")
    assert (done.inserted, done.updated, done.deleted) == (1, 1, len(before) - 1)
    after = layer_frame(store, "cameras")
    assert list(after["name"]) == [before.name.iloc[0], "CCTV Jembatan Merah Putih"]
    assert remembered_mapping(store, "cameras")["heading_deg"] == "arah"
    assert audit.search(store, action="import.cameras")[0]["detail"]["inserted"] == 1
    undo(store, done.import_id, username="admin")
    assert_geodataframe_equal(layer_frame(store, "cameras"), before)
    assert history(store, "cameras")[0]["undone_at"] is not None
    with pytest.raises(ImportRefused) as again:
        undo(store, done.import_id, username="admin")
    assert again.value.code == "unknown_import"


def test_complaint_history_is_appended_by_ticket(store):
    count = len(layer_frame(store, "complaints"))
    csv = ("No Tiket;Tanggal;Kategori;Isi Laporan;lat;lon\n"
           "LAPOR-1;05/03/2026 09:30;sampah;Sampah menumpuk;-3,6952;128,1831\n"
           "LAPOR-2;2026-03-06;Banjir;Air masuk rumah;-3.70;128.19\n")
    prepared = prepare(read_bytes(csv.encode()), SPECS["complaints"])
    assert prepared.counts["refused"] == 0
    commit(store, prepared, username="admin")
    complaints = layer_frame(store, "complaints")
    assert len(complaints) == count + 2
    new = complaints[complaints.ticket == "LAPOR-1"].iloc[0]
    assert new.agency == "DLH" and new.desa_code is not None
    assert pd.Timestamp(new.created_at) == pd.Timestamp("2026-03-05 00:30")  # 09:30 WIT is 00:30 UTC


def test_the_command_line_prints_the_report_and_says_when_nothing_was_taken(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    good = tmp_path / "tps.csv"
    good.write_text("Nama TPS;Lintang;Bujur;Kapasitas (m3)\nTPS Baru;-3,69;128,18;6\nTPS Jauh;-6.2;106.8;6\n")
    assert load.main(["tps", str(good)]) == 0
    out = capsys.readouterr().out
    assert "row 3: refused: outside Ambon" in out and "1 inserted" in out
    assert load.main(["tps", str(good), "--all-or-nothing"]) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("nama,lon,lat\nX,106.8,-6.2\n")
    assert load.main(["tps", str(bad)]) == 1
    assert load.main(["tps", str(tmp_path / "missing.csv")]) == 2
    with make_engine(url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(LayerImport)).scalar_one() == 1  # the refused runs stored nothing


def test_the_coverage_planner_sees_the_stored_obstacles(store):
    from planning.coverage_analysis import read_city_layers

    obstacles = read_city_layers(store).obstacles
    assert list(obstacles["name"]) == ["Gedung A", "Bukit B"]
