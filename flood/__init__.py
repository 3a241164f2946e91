"""BPBD flood early warning: river gauges, readings, alert levels, impact, CAP and RT messages.

Plain Python, no Dash. Units everywhere: water level in cm above the gauge's zero, rain in mm/h,
times naive UTC, coordinates WGS 84 lon/lat (metres only inside computations, in EPSG:32752).
"""
