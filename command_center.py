"""Builds the Dash app: store, cache, camera readers, routes, pages and callbacks, from Settings."""
from __future__ import annotations

import atexit
import logging
from datetime import datetime
from functools import partial

import dash
from flask_caching import Cache
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix

from alerts import AlertCentre
from alerts.sources import camera_down_source, flood_drill_source, flood_raised_source, service_down_source
from alerts.store import preferences
from routes.auth import camera_authorizer, current_account, init_auth, shell_session
from callbacks import admin, cameras, complaints_desk, coverage, flood, map_view, room
from callbacks import tax as tax_page
from callbacks import imports as layer_imports
from cameras import CameraManager
from cameras.history import HistoryRecorder
from cameras.relay import RedisLive
from cameras.service import CameraService, redis_prefix
from config import ROOT, Settings
from demo.seed import seed_if_empty
from flood.player import DrillPlayer
from tax.demo import start_demo_feed
from i18n import t
from layouts.map_page import map_page
from layouts.shell import shell
from complaints.rollups import refresh_rollups, start_rollup_loop
from complaints.store import fill_missing_deadlines
from routes.cameras import camera_allowed, init_camera_routes
from routes.complaints import init_complaint_routes
from routes.errors import init_error_handlers
from routes.exports import init_export_routes
from routes.flood import init_flood_routes
from routes.language import init_language_route, request_language
from routes.layers import init_layer_routes
from routes.leaders_pages import PublicCounter, init_leaders_pages
from routes.monitor_pages import init_monitor_pages
from routes.staff_bar import init_staff_bar
from routes.publik import init_publik_routes
from routes.tax import init_tax_routes
from services import Services, current_services, init_services
from store import layers
from alerts import camera_history
from store.cameras import camera_geojson, camera_specs
from store.db import make_engine, setup_lock, unreachable, upgrade_schema
from store.filters import complaint_filter_query
from store.layers import ComplaintFilter
from store.vocabulary import AGENCIES


def start_camera_readers(settings: Settings, engine, cache: Cache, stops: list) -> CameraManager | None:
    """The embedded camera service (cameras/service.py), stopped with the app; None when CAMERA_READERS=0
    (the cameras then run in `python -m cameras.service`). With Redis, the embedded services of
    several workers share the cameras through leases: each camera still has one reader."""
    if not settings.camera_readers:
        return None
    redis_client = camera_redis(settings)
    service = CameraService(partial(camera_specs, engine), cache, settings.camera_settings(), redis=redis_client,
                            prefix=redis_prefix(settings.cache_key_prefix)).start()
    stops.append(service.stop)
    return service.manager


def camera_redis(settings: Settings):
    """The Redis client of the camera leases and live relay; None without REDIS_URL."""
    if not settings.redis_url:
        return None
    import redis

    return redis.Redis.from_url(settings.redis_url, health_check_interval=30)


def camera_relay(settings: Settings) -> RedisLive | None:
    client = camera_redis(settings)
    return RedisLive(client, redis_prefix(settings.cache_key_prefix), settings.camera_settings()) if client else None


def start_service_monitor(settings: Settings, engine, cache: Cache, stops: list):
    """The service monitor of this process (it checks only while it holds the lease: one process
    of the deployment does), stopped with the app; None when SERVICE_MONITOR=0. Demo mode seeds the
    city's services and serves their demo endpoints."""
    if not settings.service_monitor:
        return None
    from monitor.demo import DemoEndpoints, seed_services
    from monitor.lease import CacheLease, FileLease
    from monitor.runner import Monitor
    from monitor.safety import TargetPolicy

    demo = None
    if settings.demo_data:
        with setup_lock(engine):
            seed_services(engine)
        demo = DemoEndpoints().start()
    lease = CacheLease(cache) if settings.redis_url else FileLease(settings.instance_dir / "monitor.lock")
    monitor = Monitor(engine, lease, policy=TargetPolicy(own_ports=frozenset({settings.port})),
                      demo_targets=demo.targets if demo else None, demo_verify=demo.verify_context() if demo else True).start()

    def stop() -> None:
        monitor.stop()
        if demo is not None:
            demo.stop()
    stops.append(stop)
    return monitor


def start_history_recorder(engine, board, stops: list) -> HistoryRecorder:
    """Records each camera's status changes in the store (the health page's 24-hour strips)."""
    recorder = HistoryRecorder(board.all_health, lambda changes: camera_history.record_changes(engine, changes),
                               lambda: camera_history.last_statuses(engine)).start()
    stops.append(recorder.stop)
    return recorder


def alert_centre(engine, board) -> AlertCentre:
    """The top bar's alert sources: cameras down (for who watches them), flood levels raised (for
    BPBD and the operators' room), city e-services down (for the operators' room and whoever watches
    the service monitor). Another source plugs in with `centre.add(name, source, "room")`."""
    return (AlertCentre()
            .add("cameras", camera_down_source(board, engine), permission="camera")
            .add("flood", flood_raised_source(engine), permission=("flood", "room"))
            .add("flood-drill", flood_drill_source(engine), permission="flood", not_with="room")  # drills are BPBD's, not the room's (nor admins')
            .add("services", service_down_source(engine), permission=("monitor", "room")))


def app_frame():
    """The frame of every page for this request: language, account, and the account's preferences."""
    services = current_services()
    account, csrf_token = shell_session()
    prefs = preferences(services.engine, account.username) if account else None
    return shell(request_language(), account, csrf_token, prefs, alert_poll_ms=int(services.settings.alert_poll_s * 1000))


def start_leaders_job(settings: Settings, server, services: Services, counter: PublicCounter, reports_dir, stops: list):
    """The leaders' board's roll-ups and Monday report (in-process under a lease, or by
    Celery beat when CELERY_BROKER_URL is set), and this process's count of public requests; stopped with the app."""
    from complaints.store import load_calendar
    from leaders.jobs import LeadersJob
    from leaders.report import report_pdf, store_report
    from monitor.lease import CacheLease, FileLease
    from routes.leaders_pages import MAP_SIZE, compose_report, render_report_html

    def make_report(monday) -> None:
        with server.app_context():
            doc, areas, svg = compose_report(services.engine, monday, datetime.utcnow(), "id")
            store_report(reports_dir, monday, render_report_html(doc, svg, "id"), report_pdf(doc, areas, MAP_SIZE))

    lease = CacheLease(services.cache, key="leaders:lease", lease_s=180) if settings.redis_url else FileLease(settings.instance_dir / "leaders.lock")
    job = LeadersJob(services.engine, lease, calendar=lambda: load_calendar(services.engine),
                     make_report=make_report, report_exists=lambda monday: (reports_dir / f"kinerja-{monday.isoformat()}.pdf").exists(),
                     take_counts=counter.take, scheduled=not settings.celery_broker_url).start()
    server.extensions["leaders_job"] = job
    stops.append(job.stop)
    return job


def city_map_page(**_query):
    # read on each load: an admin may import boundaries, and complaints keep coming
    services = current_services()
    kecamatan_names = dict(layers.read_admin_areas(services.engine, "kecamatan")[["code", "name"]].itertuples(index=False))
    date_range = layers.complaint_date_range(services.engine)
    markers = camera_geojson(services.engine, {r["camera_id"]: r["status"] for r in services.camera_board.all_health()})
    scope = current_account().complaint_scope
    return map_page(request_language(), services.basemap(), kecamatan_names, date_range,
                    map_view.complaint_layer_url(complaint_filter_query(ComplaintFilter()), 13, None), markers,
                    (scope,) if scope else AGENCIES, services.thumbnail_period_s() if camera_allowed("list") else None, scope)


def register_map_page() -> None:
    dash.register_page("peta", path="/", name=t("nav.map", "id"), layout=city_map_page, nav_key="nav.map", permission="map", order=0)


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url, settings.db_pool_size)
    try:
        with setup_lock(engine):
            upgrade_schema(engine)
            if settings.demo_data:
                seed_if_empty(engine)
            fill_missing_deadlines(engine, settings.complaint_rules())  # rows from before the desk, the demo, bulk loads
            refresh_rollups(engine)  # the per-agency figures catch up on what changed while the app was down
    except (DBAPIError, OSError) as error:  # no server, wrong password, a folder that cannot be written…
        raise unreachable(engine, error) from None
    stops: list = [engine.dispose]  # what app.shutdown() ends, last started first
    stops.append(start_rollup_loop(engine))  # the per-agency figures' roll-ups: hourly, every day rebuilt daily
    if settings.demo_data:
        stops.append(start_demo_feed(engine))  # the demo's tapping boxes keep selling

    app = dash.Dash(
        __name__,
        assets_folder=str(ROOT / "assets"),
        use_pages=True,
        pages_folder="",
        title=t("app.title", "id"),
        update_title=None,
        serve_locally=True,
        suppress_callback_exceptions=True,
    )
    server = app.server
    init_error_handlers(server)  # before the routes: it sets how <int:…> in their URLs is read
    if settings.trusted_proxies > 0:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)
    server.secret_key = settings.session_secret()
    server.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024  # no request body may exhaust memory
    cache = Cache(server, config=settings.cache_config())
    camera_readers = start_camera_readers(settings, engine, cache, stops)
    camera_board = init_camera_routes(server, camera_readers, cache, settings=settings.camera_settings(),
                                      authorize=camera_authorizer(engine, lambda: camera_board.by_id()),
                                      relay=camera_relay(settings), outage_starts=partial(camera_history.outage_starts, engine)).board
    if camera_readers is not None:
        start_history_recorder(engine, camera_board, stops)
    services = init_services(server, Services(settings, engine, cache, camera_readers, camera_board, alert_centre(engine, camera_board)))
    init_layer_routes(server, engine, cache)
    init_flood_routes(server, engine, settings.flood_api_key)
    init_tax_routes(server, engine)
    init_complaint_routes(server, engine, settings)
    stops.append(DrillPlayer(engine).start().stop)
    init_language_route(server)
    start_service_monitor(settings, engine, cache, stops)
    init_publik_routes(server, engine, cache, rate_limit=settings.public_rate_limit, redis_url=settings.redis_url,
                       public_url=settings.public_url)
    init_monitor_pages(server, engine)
    init_staff_bar(server, engine, services.alert_centre)
    public_counter = PublicCounter()
    init_leaders_pages(server, engine, settings.instance_dir / "reports", public_counter)
    init_auth(app, services)
    if settings.leaders_job:
        start_leaders_job(settings, server, services, public_counter, settings.instance_dir / "reports", stops)

    # Pages; their `order` is their place in the navigation bar, where a page with `nav_key` gets a link.
    # Page layouts and callbacks find their services at request time (services.current_services): Dash
    # keeps one page registry per process, and another app built in it registers the same pages again.
    register_map_page()
    app.layout = app_frame
    map_view.register(app)
    cameras.register(app)
    coverage.register(app, settings)
    flood.register(app)
    admin.register(app)
    tax_page.register(app)
    complaints_desk.register(app, settings)
    room.register(app)
    layer_imports.register(app, settings)
    init_export_routes(server, engine)
    app.shutdown = partial(shut_down, stops)
    atexit.register(app.shutdown)
    return app


def shut_down(stops: list) -> None:
    """Stop the app's background work, last started first, then close its database pool (at exit, or
    when a test is done with an app: no loop may outlive the database it writes to). Safe to call twice."""
    while stops:
        try:
            stops.pop()()
        except Exception:  # noqa: BLE001 - one stuck part must not keep the others running
            logging.getLogger(__name__).exception("could not stop part of the app")
