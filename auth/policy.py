"""Who may do what: roles, their permissions and camera groups, and the table that maps URLs to a
permission. Everything here is data plus small pure functions; `routes.auth` enforces it on the
server (and holds the table of Dash callback outputs, which names the layouts' component ids).

A page declares its permission in `dash.register_page(..., permission="camera")`; a callback is
judged by the ids of its outputs (routes.auth.CALLBACK_PREFIXES); a URL by the route table. Whatever a table
does not know is refused: a new page, callback or route must be listed to be reachable.
"""
from __future__ import annotations

from dataclasses import dataclass

LOGIN = "login"
"""Any logged-in user, whatever the role."""

PERMISSIONS = {
    LOGIN: "any logged-in user",
    "map": "the city map, its layers and complaint details without people's names",
    "complaints": "complaint records with the reporter's name and phone",
    "camera": "camera pages (video wall, health) and the camera list",
    "footage": "camera thumbnails",
    "live": "live view",
    "snapshot": "take and read evidence snapshots",
    "coverage": "camera coverage planning and its exports",
    "flood": "BPBD flood warning pages, CAP and RT messages",
    "admin": "users, cameras, settings, the audit log",
    "monitor": "the service monitor: every service's state, incidents and their notes, maintenance",
    "tax": "restaurant tax: taxpayers' sales, returns, payments and follow-up cases (confidential)",
    "room": "the operators' room: alerts about the whole city (flood levels raised, services down)",
    "leaders": "the leaders' board and weekly report: city-wide aggregates only, no personal data, no taxpayer by name",
}

ROLES = ("admin", "operator", "planner", "bpbd", "agency", "viewer", "tax", "leader")
_CAMERA_WORK = {"camera", "footage", "live", "snapshot"}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "operator": frozenset({LOGIN, "map", "complaints", "monitor", "room", *_CAMERA_WORK}),
    "planner": frozenset({LOGIN, "map", "coverage"}),
    "bpbd": frozenset({LOGIN, "map", "flood", *_CAMERA_WORK}),
    "agency": frozenset({LOGIN, "map", "complaints"}),
    "viewer": frozenset({LOGIN, "map"}),
    "tax": frozenset({LOGIN, "map", "tax"}),
    "leader": frozenset({LOGIN, "leaders"}),
}
"""The agency role's "complaints" covers only its own agency's complaints (see `complaint_scope`)."""

ALL_GROUPS = "*"
ROLE_CAMERA_GROUPS: dict[str, frozenset[str]] = {
    "admin": frozenset({ALL_GROUPS}),
    "operator": frozenset({ALL_GROUPS}),
    "bpbd": frozenset({"bpbd"}),
}
"""Camera groups (store.models.Camera.group) whose footage a role may see; none for roles not listed.
The demo puts river cameras in "bpbd", TPS cameras in "dlh", road cameras in "lalu_lintas"."""
AGENCY_CAMERA_GROUPS: dict[str, frozenset[str]] = {
    "DLH": frozenset({"dlh"}),
    "BPBD": frozenset({"bpbd"}),
    "DISHUB": frozenset({"lalu_lintas"}),
}
"""The camera groups an agency's work needs (DLH its TPS sites, Dishub the roads, BPBD the rivers):
an agency account of these may open the video wall, health list and live view of those cameras."""
AGENCY_CAMERA_WORK = frozenset({"camera", "footage", "live"})

CAMERA_ACTIONS = {"list": "camera", "health": "camera", "thumbnail": "footage", "live": "live",
                  "snapshot": "snapshot", "snapshot_read": "snapshot", "stream_url": "admin", "archive": "admin"}
"""routes.cameras action -> permission. Actions that show footage are also checked by camera group."""
FOOTAGE_ACTIONS = frozenset({"thumbnail", "live", "snapshot", "snapshot_read"})

PERSONAL_COMPLAINT_FIELDS = ("reporter_name", "reporter_phone")

OPEN = "open"
"""Route table value: no login needed."""
API_KEY = "api-key"
"""Route table value: no login; the route checks its own key (machines, not people, call it)."""
ROUTE_PERMISSIONS = (
    ("/masuk", OPEN),
    ("/assets/", OPEN),
    ("/_dash-component-suites/", OPEN),
    ("/_favicon.ico", OPEN),
    ("/bahasa/", OPEN),
    ("/api/flood/readings", API_KEY),
    ("/publik", OPEN),
    ("/publik/", OPEN),
    ("/pemantauan/admin/", "admin"),
    ("/pemantauan", "monitor"),
    ("/pemantauan/", "monitor"),
    ("/kinerja-cc/target", "admin"),
    ("/kinerja-cc", "leaders"),
    ("/kinerja-cc/", "leaders"),
    ("/api/tax/transactions", API_KEY),
    ("/api/tax/", "tax"),
    ("/open311/", API_KEY),
    ("/api/layers/", "map"),
    ("/api/complaints/", "map"),
    ("/api/flood/", "flood"),
    ("/api/coverage/", "coverage"),
    ("/api/export/", LOGIN),  # each layer's own permission is checked by routes.exports
    ("/api/", "admin"),
    ("/cameras/", LOGIN),
)
"""First match wins: a prefix ending in "/" covers everything under it, any other is one exact path. Camera routes then ask `may_use_camera` per action and group. An API
route nobody listed is for admins only. Paths not listed (pages, Dash's own requests) need a login;
the page itself is judged by its `permission`."""

DATA_PREFIXES = ("/api/", "/cameras/", "/_dash-")
"""Requests made by scripts, not people: refused with 401 JSON instead of a redirect to the login page."""


@dataclass(frozen=True)
class Account:
    """The logged-in user as the policy sees it."""

    username: str
    role: str
    agency: str | None = None

    @property
    def permissions(self) -> frozenset[str]:
        permissions = ROLE_PERMISSIONS.get(self.role, frozenset())
        if self.agency_camera_groups:
            permissions |= AGENCY_CAMERA_WORK
        return permissions

    @property
    def agency_camera_groups(self) -> frozenset[str]:
        """The camera groups this agency account's work needs (none for other roles)."""
        return AGENCY_CAMERA_GROUPS.get(self.agency or "", frozenset()) if self.role == "agency" else frozenset()

    def can(self, permission: str | None) -> bool:
        """Whether the role holds `permission`; None (a page that declares none) is for admins only."""
        return (permission or "admin") in self.permissions

    def may_use_camera(self, action: str, group: str | None) -> bool:
        """Whether the role may do `action` (a routes.cameras action) on a camera of `group`."""
        permission = CAMERA_ACTIONS.get(action)
        if permission is None or not self.can(permission):
            return False
        if action not in FOOTAGE_ACTIONS:
            return True
        groups = ROLE_CAMERA_GROUPS.get(self.role, frozenset()) | self.agency_camera_groups
        return ALL_GROUPS in groups or (group is not None and group in groups)

    @property
    def complaint_scope(self) -> str | None:
        """The only agency whose complaints this account sees, or None for all of them."""
        return self.agency if self.role == "agency" else None

    def complaint_view(self, record: dict) -> dict | None:
        """The complaint as this account may see it: None when it is outside its scope, without the
        reporter's name and phone unless the role holds "complaints"."""
        scope = self.complaint_scope
        if scope is not None and record.get("agency") != scope:
            return None
        # an agency sees the reporter once the complaint is routed to it (before, its agency is only a suggestion)
        if self.can("complaints") and (scope is None or record.get("routed_at") is not None or "routed_at" not in record):
            return dict(record)
        return {k: v for k, v in record.items() if k not in PERSONAL_COMPLAINT_FIELDS}


def home_path(role: str) -> str:
    """Where a role starts (after logging in, and a refusal's way back): the map, or for a role
    without one (leaders) their board."""
    return "/" if "map" in ROLE_PERMISSIONS.get(role, ()) else "/kinerja-cc"


def roles_with(permission: str | None) -> list[str]:
    """The roles holding `permission` (None: admins only), for telling a refused user who may."""
    permission = permission or "admin"
    return [role for role in ROLES if permission in ROLE_PERMISSIONS[role] or (role == "agency" and permission in AGENCY_CAMERA_WORK)]


def route_permission(path: str) -> str:
    """The permission a URL path needs (or OPEN / API_KEY); LOGIN for paths the table does not list."""
    for prefix, permission in ROUTE_PERMISSIONS:
        if path.startswith(prefix) if prefix.endswith("/") else path == prefix:
            return permission
        if path == prefix.rstrip("/"):
            return permission
    return LOGIN
