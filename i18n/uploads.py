"""Why an uploaded map file was refused (codes of planning.uploads.UploadError), for every page that takes uploads."""

TEXT = {
    "upload.not_polygons": {"id": "Penghalang harus berupa poligon (bangunan, bukit); berkas ini tidak berisi poligon.",
                            "en": "Obstacles must be polygons (buildings, hills); this file holds none."},
    "upload.too_large": {"id": "Berkas terlalu besar (maks. {limit_mb} MB).", "en": "The file is too large (max. {limit_mb} MB)."},
    "upload.not_base64": {"id": "Berkas tidak terkirim dengan benar; coba lagi.", "en": "The file did not arrive intact; please try again."},
    "upload.unknown_type": {"id": "Jenis berkas tidak dikenali: unggah GeoJSON, GeoPackage, Shapefile dalam .zip, atau CSV dengan kolom lon dan lat.",
                                "en": "Unrecognised file type: upload GeoJSON, GeoPackage, a zipped Shapefile, or CSV with lon and lat columns."},
    "upload.unsafe_zip": {"id": "Berkas .zip berisi jalur yang tidak aman ({name}) dan ditolak.", "en": "The .zip file holds an unsafe path ({name}) and was refused."},
    "upload.zip_bomb": {"id": "Isi berkas .zip terlalu besar atau terlalu banyak setelah dibuka.", "en": "The .zip file unpacks to too much data or too many files."},
    "upload.no_shapefile": {"id": "Berkas .zip harus berisi tepat satu Shapefile (.shp).", "en": "The .zip file must hold exactly one Shapefile (.shp)."},
    "upload.empty": {"id": "Berkas kosong: tidak ada objek di dalamnya.", "en": "The file is empty: it holds no features."},
    "upload.unreadable": {"id": "Berkas tidak dapat dibaca sebagai data peta.", "en": "The file cannot be read as map data."},
    "upload.no_geometry": {"id": "Berkas tidak memiliki geometri (CSV perlu kolom lon dan lat).", "en": "The file has no geometry (a CSV needs lon and lat columns)."},
    "upload.no_crs": {"id": "Berkas tidak menyebut sistem koordinatnya (CRS).", "en": "The file does not say its coordinate reference system (CRS)."},
    "upload.outside_region": {"id": "{count} dari {total} objek berada jauh di luar Ambon (yang pertama di bujur {lon}, lintang {lat}): lon/lat tertukar atau CRS salah?",
                              "en": "{count} of {total} features lie far outside Ambon (the first at longitude {lon}, latitude {lat}): swapped lon/lat or a wrong CRS?"},
    "upload.too_many": {"id": "Terlalu banyak objek (maks. {limit}).", "en": "Too many features (max. {limit})."},
}
