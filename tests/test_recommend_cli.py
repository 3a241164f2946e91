import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.crs import AMBON_UTM, WGS84

ROOT = Path(__file__).resolve().parents[1]
X0, Y0 = 410_000.0, 9_597_000.0  # Ambon city, UTM 52S


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "geo.recommend", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def utm_points(xy, **cols):
    xy = np.asarray(xy, float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(X0 + xy[:, 0], Y0 + xy[:, 1]), crs=AMBON_UTM)


@pytest.fixture
def trap(tmp_path):
    """Greedy trap in metres: site 0 sees a-d, site 1 sees a,b,e, site 2 sees c,d,f (radius 60 m)."""
    demand = utm_points([[0, 10], [0, -10], [100, 10], [100, -10], [-50, 0], [150, 0]],
                        weight=[1, 1, 1, 1, 1.5, 1.5])
    cands = utm_points([[50, 0], [-10, 0], [110, 0]], pole=["P0", "P1", "P2"])
    # demand -> GeoPackage in UTM, candidates -> CSV lon/lat
    demand.to_file(tmp_path / "d.gpkg", driver="GPKG")
    ll = cands.to_crs(WGS84)
    pd.DataFrame({"pole": ll.pole, "lon": ll.geometry.x, "lat": ll.geometry.y}).to_csv(tmp_path / "c.csv", index=False)
    return tmp_path


def test_contract_output_and_json_line(trap):
    out = trap / "out.geojson"
    r = run_cli("--demand", trap / "d.gpkg", "--candidates", trap / "c.csv", "--k", 2, "--radius-m", 60,
                "--out", out)
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    summary = json.loads(last)
    assert set(summary) == {"covered_weight", "total_weight", "bound", "gap", "method", "selected", "seconds"}
    assert summary["covered_weight"] == pytest.approx(7.0) and summary["total_weight"] == pytest.approx(7.0)
    assert summary["method"] == "exact" and summary["gap"] == pytest.approx(0, abs=1e-6)
    assert sorted(summary["selected"]) == [1, 2]
    got = gpd.read_file(out)
    assert got.crs.to_epsg() == 4326
    assert got["rank"].tolist() == [1, 2]
    assert got["candidate_index"].tolist() == summary["selected"]
    assert got["marginal_weight"].sum() == pytest.approx(7.0)


def test_existing_cameras_and_weight_column(trap, tmp_path):
    # an existing camera next to site 1 sees a, b, e; min spacing forbids site 1
    utm_points([[-10, 1]], heading_deg=[np.nan]).to_file(tmp_path / "e.geojson", driver="GeoJSON")
    d = gpd.read_file(trap / "d.gpkg")
    d["prio"] = d["weight"] * 2
    d.to_file(tmp_path / "d2.gpkg", driver="GPKG")
    r = run_cli("--demand", tmp_path / "d2.gpkg", "--candidates", trap / "c.csv", "--existing", tmp_path / "e.geojson",
                "--k", 1, "--radius-m", 60, "--weight-column", "prio", "--min-spacing-m", 20, "--out", tmp_path / "o.geojson")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["selected"] == [2] and s["covered_weight"] == pytest.approx(14.0) and s["total_weight"] == pytest.approx(14.0)


def write_text(path, text):
    path.write_text(text)
    return path


def bad_cases(tmp_path, trap):
    good_c = trap / "c.csv"
    d = gpd.read_file(trap / "d.gpkg").to_crs(WGS84)
    swapped = gpd.GeoDataFrame(geometry=gpd.points_from_xy(d.geometry.y, d.geometry.x), crs=WGS84)
    swapped.to_file(tmp_path / "swapped.geojson", driver="GeoJSON")
    nocrs = gpd.GeoDataFrame(geometry=gpd.points_from_xy(d.geometry.x, d.geometry.y))
    nocrs.to_file(tmp_path / "nocrs.shp")
    (tmp_path / "nocrs.prj").unlink(missing_ok=True)
    return {
        "empty file": (["--demand", write_text(tmp_path / "empty.geojson", ""), "--candidates", good_c], "empty"),
        "empty csv": (["--demand", write_text(tmp_path / "e.csv", "lon,lat\n"), "--candidates", good_c], "no rows"),
        "no geometry": (["--demand", write_text(tmp_path / "ng.csv", "a,b\n1,2\n"), "--candidates", good_c], "geometry"),
        "null geometries": (["--demand", write_text(tmp_path / "ng.geojson", '{"type":"FeatureCollection","features":'
                              '[{"type":"Feature","properties":{},"geometry":null}]}'), "--candidates", good_c], "geometry"),
        "no crs": (["--demand", tmp_path / "nocrs.shp", "--candidates", good_c], "CRS"),
        "swapped lon/lat": (["--demand", tmp_path / "swapped.geojson", "--candidates", good_c], "outside the Ambon"),
        "k too large": (["--demand", trap / "d.gpkg", "--candidates", good_c, "--k", 4], "larger than"),
        "missing weight column": (["--demand", trap / "d.gpkg", "--candidates", good_c, "--weight-column", "nope"], "nope"),
        "missing file": (["--demand", tmp_path / "nothere.geojson", "--candidates", good_c], "does not exist"),
        "bad radius": (["--demand", trap / "d.gpkg", "--candidates", good_c, "--radius-m", 0], "radius"),
        "missing argument": (["--candidates", good_c], "--demand"),
    }


def test_bad_input_exits_nonzero_with_one_line(tmp_path, trap, capsys):
    # in-process through main() to keep the suite fast; one case below runs as a real subprocess
    from geo.recommend import main

    for name, (args, needle) in bad_cases(tmp_path, trap).items():
        if "--k" not in args:
            args = args + ["--k", 2]
        if "--radius-m" not in args:
            args = args + ["--radius-m", 60]
        argv = [str(a) for a in args] + ["--out", str(tmp_path / "o.geojson")]
        try:
            code = main(argv)
        except SystemExit as e:  # argparse errors
            code = e.code
        err = capsys.readouterr().err
        assert code == 2, (name, code, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, (name, err)
        assert needle.lower() in lines[0].lower(), (name, lines[0])


def test_bad_input_as_subprocess(tmp_path, trap):
    d = gpd.read_file(trap / "d.gpkg").to_crs(WGS84)
    pd.DataFrame({"lon": d.geometry.y, "lat": d.geometry.x}).to_csv(tmp_path / "swapped.csv", index=False)
    r = run_cli("--demand", tmp_path / "swapped.csv", "--candidates", trap / "c.csv", "--k", 1, "--radius-m", 60,
                "--out", tmp_path / "o.geojson")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "swapped" in r.stderr


def test_bay_and_just_beyond_city_line_are_legitimate(tmp_path):
    # a point in Ambon bay and one just beyond the city boundary, plus zipped shapefile input
    pts = gpd.GeoDataFrame({"weight": [2.0, 1.0]}, geometry=gpd.points_from_xy([128.15, 128.36], [-3.66, -3.80]),
                           crs=WGS84)
    pts.to_file(tmp_path / "d.shp")
    import zipfile
    with zipfile.ZipFile(tmp_path / "d.zip", "w") as z:
        for f in tmp_path.glob("d.*"):
            if f.suffix != ".zip":
                z.write(f, f.name)
    pts.to_file(tmp_path / "c.geojson", driver="GeoJSON")
    r = run_cli("--demand", tmp_path / "d.zip", "--candidates", tmp_path / "c.geojson", "--k", 2, "--radius-m", 100,
                "--out", tmp_path / "o.geojson")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["covered_weight"] == pytest.approx(3.0)


def test_read_layer_names_each_problem(tmp_path):
    # callers such as the coverage page's upload explain the problem in their own words by its code
    from geo.recommend import InputError, read_layer

    (tmp_path / "empty.geojson").write_text("")
    (tmp_path / "nolonlat.csv").write_text("name\nx\n")
    pd.DataFrame({"lon": [-3.69], "lat": [128.18]}).to_csv(tmp_path / "swapped.csv", index=False)
    cases = {"nothere.csv": "missing", "empty.geojson": "empty", "nolonlat.csv": "no_geometry", "swapped.csv": "outside_region"}
    for name, code in cases.items():
        with pytest.raises(InputError) as caught:
            read_layer(str(tmp_path / name), "demand")
        assert caught.value.code == code, name
