"""Colours shared by the map (through hideout) and the legend, so they can never disagree."""

DEADLINE_COLOURS = {"overdue": "#d7263d", "due_soon": "#f49d37", "on_time": "#2e933c", "none": "#6c757d"}
"""A complaint by the state of its running deadline (map points, desk badges); the order is the map payload's index."""
COMPLAINT_STATUS_COLOURS = {"baru": "#d7263d", "diteruskan": "#f49d37", "diproses": "#3f88c5", "selesai": "#2e933c",
                            "terverifikasi": "#9b5de5", "ditolak": "#6c757d", "diselesaikan": "#00a6a6", "dibuka_kembali": "#b5179e"}
CAMERA_STATUS_COLOURS = {"online": "#2e933c", "degraded": "#f49d37", "offline": "#d7263d", "unknown": "#7a7a7a"}
HAZARD_COLOURS = {1: "#ffe08a", 2: "#ff9f43", 3: "#e84118"}
BUSINESS_COLOURS = {"restoran": "#8e44ad", "kafe": "#6d4c41", "rumah_makan": "#00838f", "katering": "#5d6d7e"}
ROAD_STYLES = {"primary": ("#c0392b", 4), "secondary": ("#e67e22", 3), "tertiary": ("#c9a227", 2.5),
               "local": ("#8d8d8d", 1.5), "minor": ("#b5b5b5", 1)}
"""(colour, line width in pixels) per road group of geo.roads.ROAD_GROUPS."""
