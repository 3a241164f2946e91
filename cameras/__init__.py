"""Camera domain: one reader per camera decodes its stream, publishes the latest frame, a thumbnail
and its health; the web layer (routes/cameras.py) only reads what was published.

Public entry points::

    from cameras import CameraManager, CameraSettings, make_default_cache
    manager = CameraManager(list_camera_specs, cache, CameraSettings(media_root=..., snapshot_dir=...))
    manager.start()          # background sync + readers
    ...
    manager.stop()           # joins every thread, closes every stream

The camera service (``from cameras.service import CameraService``; ``python -m cameras.service``) wraps a manager: with Redis,
several instances share the cameras through leases and relay live view to web workers.

See cameras/keys.py for the cache key scheme.
"""
from config.cameras import CameraSettings, CameraSpec, ConfigError, parse_spec
from .keys import CacheKeys
from .manager import CameraManager
from .thumbnails import make_default_cache

__all__ = [
    "CacheKeys",
    "CameraManager",
    "CameraSettings",
    "CameraSpec",
    "ConfigError",
    "make_default_cache",
    "parse_spec",
]
