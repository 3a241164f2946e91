"""Coordinate reference systems used across the project."""

WGS84 = "EPSG:4326"
"""Longitude/latitude, the CRS of the store, of GeoJSON and of the map."""

AMBON_UTM = "EPSG:32752"
"""WGS 84 / UTM zone 52S: metric CRS for distances and areas around Ambon."""

AMBON_REGION_LONLAT = (127.9, -3.95, 128.45, -3.45)
"""Generous lon/lat box around Ambon island and its bay (minx, miny, maxx, maxy).

Data meant for Ambon that falls outside it is either swapped lon/lat or another place."""
