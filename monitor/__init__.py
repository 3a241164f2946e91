"""The service monitor: watches the city's e-services (HTTP(S), TCP, DNS), stores every check,
opens and closes incidents, counts uptime outside maintenance, tells webhooks. Plain Python: no
Dash, no Flask. `Monitor` (runner) runs in exactly one process (lease); `store` is what pages read.
"""
from .checks import CheckResult
from .runner import Monitor
from .safety import TargetPolicy, TargetRefused
from .store import incident_alerts, open_incidents

__all__ = ["CheckResult", "Monitor", "TargetPolicy", "TargetRefused", "incident_alerts", "open_incidents"]
