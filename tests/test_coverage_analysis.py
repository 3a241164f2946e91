"""The coverage-gap analysis behind /cakupan: a hand-made town with answers worked out by hand,
then the demo city read from the store."""
import geopandas as gpd
import numpy as np
import pytest
import shapely

from demo.seed import write_demo_city
from geo.crs import AMBON_UTM
from planning.coverage_analysis import (
    DEFAULT_WEIGHTS, AnalysisParams, Cancelled, CityLayers, NoDemand, analyse, build_demand, class_breaks, grid_candidates,
    parse_params, read_city_layers, upload_demand,
)

X0, Y0 = 410_000.0, 9_597_000.0  # a spot inside Ambon, UTM 52S metres


def frame(rows: dict, geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs=AMBON_UTM)


def pt(dx, dy):
    return shapely.Point(X0 + dx, Y0 + dy)


NO_ROADS = frame({"name": [], "highway": []}, [])


def town(roads: gpd.GeoDataFrame = NO_ROADS) -> CityLayers:
    """One PTZ camera (50 m) at the origin seeing 2 crime complaints; 3 more crime complaints at 500 m
    east; a TPS at 1,000 m east; a river whose first 100 m lie in a flood zone, 300 m north."""
    return CityLayers(
        cameras=frame({"heading_deg": [np.nan], "fov_deg": [np.nan], "range_m": [50.0]}, [pt(0, 0)]),
        complaints=frame({"category": ["kriminal"] * 5}, [pt(10, 0), pt(-10, 5), pt(500, 0), pt(505, 5), pt(495, -5)]),
        tps=frame({"name": ["TPS Pasar"]}, [pt(1000, 0)]),
        rivers=frame({"name": ["Wai Batu Merah"]}, [shapely.LineString([(X0, Y0 + 300), (X0 + 400, Y0 + 300)])]),
        flood_zones=frame({"name": ["zona"], "hazard": [3]}, [shapely.box(X0 - 50, Y0 + 250, X0 + 100, Y0 + 350)]),
        businesses=frame({"name": []}, []),
        roads=roads,
        kecamatan=frame({"code": ["W", "E"], "name": ["Barat", "Timur"]},
                        [shapely.box(X0 - 200, Y0 - 500, X0 + 250, Y0 + 500), shapely.box(X0 + 250, Y0 - 500, X0 + 1200, Y0 + 500)]),
        desa=frame({"code": ["W1", "E1"], "name": ["Desa Barat", "Desa Timur"], "parent_code": ["W", "E"]},
                   [shapely.box(X0 - 200, Y0 - 500, X0 + 250, Y0 + 500), shapely.box(X0 + 250, Y0 - 500, X0 + 1200, Y0 + 500)]),
        land=gpd.GeoSeries([shapely.box(X0 - 200, Y0 - 500, X0 + 1200, Y0 + 500)], crs=AMBON_UTM),
    )


def only(**weights) -> dict:
    return {key: weights.get(key.replace("complaint.", "").replace(".", "_"), 0.0) for key in DEFAULT_WEIGHTS}


TOWN_WEIGHTS = only(kriminal=3.0, tps=4.0, flood=2.0)


def test_demand_from_layers_with_planner_weights():
    demand = build_demand(town(), TOWN_WEIGHTS)
    by_layer = demand.groupby("layer")["weight"].sum()
    assert by_layer["complaint"] == pytest.approx(15.0)  # 5 crime complaints x 3
    assert by_layer["tps"] == pytest.approx(4.0)
    assert by_layer["flood"] == pytest.approx(2.0)  # 100 m of bank in the zone, 2 per 100 m
    assert demand.loc[demand.layer == "flood", "length_m"].sum() == pytest.approx(100.0)
    assert set(demand.loc[demand.layer == "complaint", "kind"]) == {"kriminal"}
    assert "tps" not in set(build_demand(town(), {**TOWN_WEIGHTS, "tps": 0.0}).layer)  # weight 0: left out


def test_stored_roads_are_demand_by_group_and_carry_the_candidate_sites():
    """A primary road along the town's axis and a footpath 200 m south (the "minor" group), both
    crossing the whole town; only roads are weighed."""
    roads = frame({"name": ["Jl. Sultan Hairun", None], "highway": ["primary", "footway"]},
                  [shapely.LineString([(X0 - 200, Y0), (X0 + 1200, Y0)]), shapely.LineString([(X0 - 200, Y0 - 200), (X0 + 1200, Y0 - 200)])])
    weights = only(road_primary=3.0, road_minor=1.0)
    demand = build_demand(town(roads), weights)
    assert set(demand.layer) == {"road"}
    per_group = demand.groupby("kind")["weight"].sum()
    assert per_group["primary"] == pytest.approx(42.0) and per_group["minor"] == pytest.approx(14.0)  # 1.4 km x 3 and x 1 per 100 m

    result = analyse(town(roads), AnalysisParams(weights, k=2, radius_m=60, min_spacing_m=0, time_limit_s=10))
    assert result.solution["candidate_source"] == "roads"
    sites = gpd.GeoSeries(result.sites.geometry, crs=4326).to_crs(AMBON_UTM)
    # every candidate lies on a road; the best two sit on the primary road, outside the camera's circle
    assert (sites.distance(roads.geometry.iloc[0]) < 1).all()
    assert result.sites.iloc[0]["reason_en"] == "covers 125 m of Jl. Sultan Hairun"  # 5 demand points of 25 m in a 60 m circle
    # the 50 m camera sees 100 m of the 1.4 km road
    assert result.sentences["id"][0] == "7 % panjang jalan arteri terpantau (0,1 dari 1,4 km)"
    assert result.sentences["en"][1] == "0 % of service & path road length covered (0.0 of 1.4 km)"


def test_obstacles_stop_the_view_of_todays_cameras_and_of_new_sites():
    """A wall between the camera and the 2 complaints beside it, and a building over the 3 complaints
    500 m east: the camera sees nothing and a pole beside the building cannot see those 3, so the
    pole by the TPS site wins."""
    wall = shapely.box(X0 + 2, Y0 - 20, X0 + 4, Y0 + 20)
    wall_west = shapely.box(X0 - 6, Y0 - 20, X0 - 4, Y0 + 20)
    building = shapely.box(X0 + 480, Y0 - 20, X0 + 520, Y0 + 20)
    obstacles = frame({"kind": ["tembok", "tembok", "gedung"]}, [wall, wall_west, building])
    params = AnalysisParams(TOWN_WEIGHTS, k=1, radius_m=60, min_spacing_m=0, time_limit_s=10)
    poles = frame({"pole": ["by the building", "by the TPS"]}, [pt(500, 40), pt(1000, 20)])
    open_view = analyse(town(), params, candidates=poles)
    walled = analyse(town(), params, candidates=poles, obstacles=obstacles)
    assert open_view.solution["existing_weight"] == pytest.approx(6.0) and open_view.sites.iloc[0]["candidate_index"] == 0
    assert walled.solution["existing_weight"] == 0.0 and walled.solution["obstacles"] == 3
    assert walled.sites.iloc[0]["candidate_index"] == 1 and walled.sites.iloc[0]["reason_en"] == "covers 1 TPS site"
    assert "0 % of crime complaints covered (0 of 5)" in walled.sentences["en"]


def test_uploaded_layers_by_geometry_type():
    roads = frame({"highway": ["primary"], "name": ["Jl. Sultan Hairun"]}, [shapely.LineString([(X0, Y0), (X0 + 200, Y0)])])
    demand = upload_demand(roads, 2.0)
    assert set(demand.layer) == {"road"} and demand.weight.sum() == pytest.approx(12.0)  # 3 per 100 m x 200 m x 2
    points = frame({"weight": [5.0, 1.0]}, [pt(0, 0), pt(1, 1)])
    assert upload_demand(points, 2.0).weight.sum() == pytest.approx(12.0)
    square = frame({}, [shapely.box(X0, Y0, X0 + 100, Y0 + 100)])
    assert upload_demand(square, 3.0).weight.sum() == pytest.approx(3.0)  # 1 ha x 3 per ha


def test_gaps_and_the_best_site_in_the_hand_made_town():
    result = analyse(town(), AnalysisParams(TOWN_WEIGHTS, k=1, radius_m=60, min_spacing_m=0, time_limit_s=10))
    solution = result.solution
    assert solution["total_weight"] == pytest.approx(21.0)
    assert solution["existing_weight"] == pytest.approx(6.0)  # the 2 complaints the camera sees
    assert solution["covered_weight"] == pytest.approx(15.0)  # + the 3 complaints 500 m east (9 > TPS 4)
    assert solution["method"] == "exact" and solution["gap"] == pytest.approx(0.0)
    site = result.sites.iloc[0]
    assert site["rank"] == 1 and site["marginal_weight"] == pytest.approx(9.0)
    assert (site["desa"], site["kecamatan"]) == ("Desa Timur", "Timur")  # where it is, by name
    assert site["reason_en"] == "covers 3 complaints about crime"
    assert site["reason_id"] == "mencakup 3 aduan tentang kriminalitas"
    assert shapely.distance(gpd.GeoSeries([site.geometry], crs=4326).to_crs(AMBON_UTM).iloc[0], pt(500, 0)) <= 60
    assert "40 % of crime complaints covered (2 of 5)" in result.sentences["en"]
    assert "40 % aduan kriminalitas terpantau (2 dari 5)" in result.sentences["id"]
    assert "0 % panjang tepian rawan banjir terpantau (0,0 dari 0,1 km)" in result.sentences["id"]
    kecamatan = result.by_kecamatan.set_index("name")
    assert kecamatan.loc["Barat", "covered_weight"] == pytest.approx(6.0)
    assert kecamatan.loc["Timur", "uncovered_weight"] == pytest.approx(13.0)  # 3 complaints + TPS
    assert result.hexes["uncovered_weight"].sum() == pytest.approx(15.0)
    assert len(result.sectors) == 1 and result.sectors.crs.to_epsg() == 4326


def same_answer(a, b) -> bool:
    timing = ("seconds", "solver_seconds")
    return (a.sites.equals(b.sites) and a.sectors.equals(b.sectors) and a.hexes.equals(b.hexes)
            and a.by_kecamatan.equals(b.by_kecamatan) and a.by_layer.equals(b.by_layer) and a.sentences == b.sentences
            and {k: v for k, v in a.solution.items() if k not in timing} == {k: v for k, v in b.solution.items() if k not in timing})


def test_reruns_that_change_only_weights_take_the_geometry_from_the_cache(tmp_path, monkeypatch):
    import planning.coverage_analysis as analysis
    from planning.geometry_cache import GeometryCache

    built = []  # coverage matrices built
    real = analysis.coverage_matrix
    monkeypatch.setattr(analysis, "coverage_matrix", lambda *a, **kw: built.append(1) or real(*a, **kw))
    cache = GeometryCache(tmp_path, 64)
    params = AnalysisParams(TOWN_WEIGHTS, k=1, radius_m=60, min_spacing_m=0, time_limit_s=10)
    heavier_tps = AnalysisParams({**TOWN_WEIGHTS, "tps": 12.0}, k=1, radius_m=60, min_spacing_m=0, time_limit_s=10)
    first = analyse(town(), params, cache=cache)
    rerun = analyse(town(), heavier_tps, cache=cache)
    assert len(built) == 1  # the rerun took the first run's geometry
    assert first.sites.iloc[0]["reason_en"] == "covers 3 complaints about crime"
    assert rerun.sites.iloc[0]["reason_en"] == "covers 1 TPS site"  # 12 > 9: its own weights
    assert same_answer(rerun, analyse(town(), heavier_tps))  # what a run without the cache answers
    assert same_answer(first, analyse(town(), params))

    # another camera, another radius, a layer no longer weighted, uploaded candidates: each is built anew
    watched_east = town()
    watched_east.cameras = frame({"heading_deg": [np.nan] * 2, "fov_deg": [np.nan] * 2, "range_m": [50.0] * 2},
                                 [pt(0, 0), pt(500, 0)])
    poles = frame({"pole": ["A", "B"]}, [pt(500, 20), pt(1000, 20)])
    for city, changed, kwargs in [(watched_east, params, {}), (town(), AnalysisParams(TOWN_WEIGHTS, k=1, radius_m=80, min_spacing_m=0, time_limit_s=10), {}),
                                  (town(), AnalysisParams({**TOWN_WEIGHTS, "flood": 0.0}, k=1, radius_m=60, min_spacing_m=0, time_limit_s=10), {}),
                                  (town(), params, {"candidates": poles})]:
        before = len(built)
        result = analyse(city, changed, cache=cache, **kwargs)
        assert len(built) == before + 1
        assert same_answer(result, analyse(city, changed, **kwargs))
    assert analyse(watched_east, params, cache=cache).solution["existing_weight"] == pytest.approx(15.0)  # both cameras' view
    assert len(list(tmp_path.iterdir()))  # kept on disk, where the next job process finds it


def test_nothing_to_watch_is_said_so():
    with pytest.raises(NoDemand):
        analyse(town(), AnalysisParams(only(), k=1))


def test_k_budget_and_spacing():
    params = AnalysisParams(TOWN_WEIGHTS, k=None, budget=10.0, cost_per_site=4.0, radius_m=60, min_spacing_m=0, time_limit_s=10)
    result = analyse(town(), params)
    assert list(result.sites["marginal_weight"]) == pytest.approx([9.0, 4.0])  # the budget buys 2 sites
    # uploaded candidates: the one beside the existing camera is too close with 100 m spacing
    poles = frame({"pole": ["A", "B", "C"]}, [pt(0, 20), pt(500, 0), pt(1000, 0)])
    spaced = analyse(town(), AnalysisParams(TOWN_WEIGHTS, k=3, radius_m=60, min_spacing_m=100, time_limit_s=10), candidates=poles)
    assert sorted(spaced.sites["candidate_index"]) == [1, 2] and spaced.solution["candidate_source"] == "upload"


def test_progress_and_cancel_flow_through_to_the_solver():
    seen = []
    analyse(town(), AnalysisParams(TOWN_WEIGHTS, k=2, radius_m=60, time_limit_s=10), progress=lambda f, s: seen.append((f, s)))
    stages = [s for _, s in seen]
    assert stages[0] == "demand" and stages[-1] == "done" and "solve" in stages
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    calls = {"n": 0}

    def cancel_once_solving():
        calls["n"] += 1
        return "solve" in stages_now

    stages_now = []
    with pytest.raises(Cancelled):
        analyse(town(), AnalysisParams(TOWN_WEIGHTS, k=2, radius_m=60, time_limit_s=10),
                progress=lambda f, s: stages_now.append(s), cancel=cancel_once_solving)
    assert "reasons" not in stages_now and calls["n"] > 3


def test_grid_candidates_are_on_land_and_near_demand():
    demand_xy = np.array([[X0 + 500, Y0]])
    cands = grid_candidates(town().land, demand_xy, 100.0)
    xy = np.c_[cands.geometry.x, cands.geometry.y]
    assert len(cands) > 0 and (np.hypot(*(xy - demand_xy).T) <= 100).all()
    assert np.diff(np.unique(xy[:, 0])).min() == pytest.approx(50.0)  # half the radius


def test_parameters_are_validated():
    params, problems = parse_params({"weights": {"tps": "3"}, "mode": "k", "k": 5, "radius_m": 80, "min_spacing_m": 0, "time_limit_s": 5})
    assert problems == [] and params.k == 5 and params.weights["tps"] == 3.0 and params.weights["flood"] == DEFAULT_WEIGHTS["flood"]
    bad = {"weights": {"tps": -1, "evil": 2}, "mode": "k", "k": 0, "radius_m": 1e9, "min_spacing_m": "x", "time_limit_s": None}
    assert set(parse_params(bad)[1]) == {"weight.tps", "weight.evil", "k", "radius_m", "min_spacing_m", "time_limit_s"}
    budget = {"mode": "budget", "budget": 1e9, "cost_per_site": 1e3, "radius_m": 80, "min_spacing_m": 0, "time_limit_s": 5}
    assert parse_params(budget)[1] == ["budget"]  # a million sites is beyond any run
    assert parse_params({**budget, "budget": 5e8, "cost_per_site": 5e7})[0].sites_allowed() == 10
    assert parse_params({"weights": [1], "k": 1, "radius_m": 80, "min_spacing_m": 0, "time_limit_s": 5})[1] == ["weight"]


def test_class_breaks():
    assert class_breaks([]) == []
    assert class_breaks(np.arange(1, 101)) == [21.0, 41.0, 60.0, 80.0]
    assert class_breaks([3.0] * 10) == [3.0]


@pytest.fixture
def demo_store(engine, demo_city):
    write_demo_city(engine, demo_city)
    return engine


def test_demo_city_from_the_store(demo_store):
    city = read_city_layers(demo_store)
    assert len(city.cameras) == 37 and len(city.kecamatan) == 5
    # the real OSM network (5,848 segments) ships with the demo: exact in seconds on an idle machine, a wall-clock
    # limit must leave room for a busy one (the assertion on the gap stays strict)
    result = analyse(city, AnalysisParams(k=5, radius_m=100, min_spacing_m=150, time_limit_s=600))
    solution = result.solution
    assert len(result.sites) == 5 and list(result.sites["rank"]) == [1, 2, 3, 4, 5]
    gains = result.sites["marginal_weight"].to_numpy()
    assert (gains > 0).all() and (np.diff(gains) <= 1e-9).all()
    assert solution["bound"] >= solution["covered_weight"] - 1e-6 and 0 <= solution["gap"] < 0.01
    assert solution["covered_weight"] == pytest.approx(solution["existing_weight"] + gains.sum(), abs=0.05)
    assert all(r.startswith("covers ") for r in result.sites["reason_en"])
    assert all(r.startswith("mencakup ") for r in result.sites["reason_id"])
    assert len(result.sentences["id"]) == len(result.sentences["en"]) >= 10
    assert set(result.by_kecamatan["name"]) == set(city.kecamatan["name"])
    land = city.land.to_crs(AMBON_UTM).union_all().buffer(1.0)
    assert result.sites.to_crs(AMBON_UTM).within(land).all()
    # the new sites keep 150 m from each other and from today's cameras
    xy = result.sites.to_crs(AMBON_UTM).get_coordinates().to_numpy()
    cams = city.cameras.to_crs(AMBON_UTM).get_coordinates().to_numpy()
    pairwise = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    assert pairwise[np.triu_indices(5, 1)].min() >= 150 - 1e-6
    assert np.hypot(*(xy[:, None, :] - cams[None, :, :]).transpose(2, 0, 1)).min() >= 150 - 1e-6


def test_quota_per_kecamatan_spreads_the_sites_and_each_says_where_to_face():
    """Poles at the crime cluster (east, 9 points), beside the TPS (east, 4) and by the flooded
    bank (west, 2): two sites go east without a quota, one east and one west with a quota of one."""
    poles = frame({"pole": ["A", "B", "C"]}, [pt(500, 0), pt(970, 0), pt(30, 300)])
    free = analyse(town(), AnalysisParams(TOWN_WEIGHTS, k=2, radius_m=60, min_spacing_m=0, time_limit_s=10), candidates=poles)
    assert sorted(free.sites["candidate_index"]) == [0, 1] and set(free.sites["kecamatan"]) == {"Timur"}
    spread = analyse(town(), AnalysisParams(TOWN_WEIGHTS, k=2, radius_m=60, min_spacing_m=0, time_limit_s=10, per_kecamatan=1),
                     candidates=poles)
    assert sorted(spread.sites["candidate_index"]) == [0, 2] and set(spread.sites["kecamatan"]) == {"Timur", "Barat"}
    assert spread.solution["method"] == "exact"
    # the pole west of the TPS faces east; the drawn view is a 90-degree sector, not a circle
    heading = dict(zip(free.sites["candidate_index"], free.sites["heading_deg"]))
    assert heading[1] == 90.0
    sector = free.sectors.to_crs(AMBON_UTM).geometry.iloc[list(free.sites["candidate_index"]).index(1)]
    assert sector.area == pytest.approx(np.pi * 60 ** 2 / 4, rel=0.05)


def test_quota_and_gap_progress_in_parameters_and_labels():
    from layouts.coverage_page import compass, progress_label

    base = {"mode": "k", "k": 5, "radius_m": 80, "min_spacing_m": 200, "time_limit_s": 5}
    assert parse_params({**base, "per_kecamatan": 2})[0].per_kecamatan == 2
    assert parse_params({**base, "per_kecamatan": ""})[0].per_kecamatan is None
    assert parse_params({**base, "per_kecamatan": 1.5})[1] == ["per_kecamatan"]
    assert AnalysisParams().min_spacing_m == 200.0  # spacing is on by default
    assert progress_label("en", 0.5, "solve:2.4") == "50 % · Searching for the best sites · at most 2.4 % from the best"
    assert progress_label("id", 0.5, "solve:2.4").endswith("paling jauh 2,4 % dari yang terbaik")
    assert progress_label("en", 0.1, "gaps").endswith("today's coverage")
    assert compass("en", 135.0) == "south-east (135°)" and compass("id", 0.0) == "utara (0°)"
