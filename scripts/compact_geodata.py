"""Write the real Ambon geodata the app ships in data/ from ../shared/geodata/ (run once, from the project root):
boundaries and island outline as GeoJSON, the OpenStreetMap roads as gzipped GeoJSON, coordinates to
5 decimals (about 1 m), only the columns the app reads. Licences are copied beside them."""
from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "geodata"
DATA = ROOT / "data"


def write(frame: gpd.GeoDataFrame, name: str, compress: bool = False) -> None:
    path = DATA / name
    parsed = json.loads(frame.to_json(drop_id=True))
    for feature in parsed["features"]:
        feature["geometry"] = _rounded(feature["geometry"])
    out = json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode()
    if compress:
        path.with_suffix(path.suffix + ".gz").write_bytes(gzip.compress(out, 9))
    else:
        path.write_bytes(out)


def _rounded(geometry: dict) -> dict:
    def walk(c):
        return round(c, 5) if isinstance(c, float) else [walk(x) for x in c]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def main() -> int:
    if not SOURCE.is_dir():
        print(f"error: {SOURCE} not found", file=sys.stderr)
        return 2
    desa = gpd.read_file(SOURCE / "ambon_desa_kelurahan_wb.geojson")[["kode", "geometry"]].rename(columns={"kode": "code"})
    write(desa, "ambon_desa.geojson")
    kecamatan = gpd.read_file(SOURCE / "ambon_kecamatan_wb.geojson")[["kode", "geometry"]].rename(columns={"kode": "code"})
    write(kecamatan, "ambon_kecamatan.geojson")
    city = gpd.read_file(SOURCE / "ambon_kota_boundary_wb.geojson")[["geometry"]]
    write(city, "ambon_kota.geojson")
    island = gpd.read_file(SOURCE / "ambon_island_polygon_derived.geojson")[["geometry"]]
    write(island, "ambon_island.geojson")
    roads = gpd.read_file(SOURCE / "ambon_roads_osm.geojson")[["highway", "name", "geometry"]]
    write(roads, "ambon_roads_osm.geojson", compress=True)
    for licence in ("LICENSE-wilayah_boundaries.txt", "LICENSE-OpenStreetMap.txt"):
        shutil.copy(SOURCE / licence, DATA / licence)
    return 0


if __name__ == "__main__":
    sys.exit(main())
