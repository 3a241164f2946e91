"""The demo's e-services: the city's services as the study names them, checked against small
endpoints this process serves itself on 127.0.0.1 (the demo has no internet), so the status board
shows real checks from the first start.

Endpoints (`DemoEndpoints.targets`): "demo:sehat" answers at once; "demo:lambat" after 2.5 s;
"demo:terjadwal" answers 503 for the first 5 minutes of every 20 (it goes down on a schedule);
"demo:sertifikat" is HTTPS with a certificate that expires in 5 days (signed by a demo authority
whose certificate `verify_context()` trusts).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine, func, select

from .models import MonitoredService
from .store import save_service

SLOW_S = 2.5
SCHEDULE_PERIOD_S, SCHEDULE_DOWN_S = 20 * 60, 5 * 60
CERT_DAYS_LEFT = 5


def make_certificate(days_left: float, *, days_valid_before: float = 85, hosts=("localhost", "127.0.0.1"),
                     issuer: tuple | None = None) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for `hosts`, valid until `days_left` days from now (negative:
    expired). Signed by `issuer` = (certificate PEM, key PEM), or self-signed without one."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    if issuer:
        issuer_cert = x509.load_pem_x509_certificate(issuer[0])
        issuer_key = serialization.load_pem_private_key(issuer[1], None)
        issuer_name = issuer_cert.subject
    else:
        issuer_key, issuer_name = key, subject
    names = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=days_valid_before))
            .not_valid_after(now + dt.timedelta(days=days_left))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def make_authority(name: str = "Ambon Command Center demo CA") -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a certificate authority for demo and test servers."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def server_context(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    """A TLS server context for a certificate and key given as PEM."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        cert_path.write_bytes(cert_pem)
        key_path.write_bytes(key_pem)
        context.load_cert_chain(cert_path, key_path)
    return context


class _Handler(BaseHTTPRequestHandler):
    server_version = "AmbonDemo/1"

    def log_message(self, *_args) -> None:  # the demo's traffic is not worth a log line
        pass

    def _answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the monitor gave up waiting (its timeout, or shutdown)
            pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = self.path.split("?")[0]
        if path == "/lambat":
            time.sleep(SLOW_S)
        if path == "/terjadwal" and time.time() % SCHEDULE_PERIOD_S < SCHEDULE_DOWN_S:
            self._answer(503, "<h1>Sedang gangguan</h1>")
            return
        if path in ("/", "/sehat", "/lambat", "/terjadwal"):
            self._answer(200, "<h1>Layanan aktif</h1>")
            return
        self._answer(404, "not found")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # a check that gave up is not worth a traceback
        pass


class DemoEndpoints:
    """The demo endpoints, on ephemeral ports of 127.0.0.1, in daemon threads of this process."""

    def __init__(self) -> None:
        self.authority = make_authority()
        self._servers: list[ThreadingHTTPServer] = []
        self.targets: dict[str, str] = {}

    def start(self) -> DemoEndpoints:
        plain = self._serve(None)
        tls = self._serve(server_context(*make_certificate(CERT_DAYS_LEFT, issuer=self.authority)))
        base, secure = f"http://127.0.0.1:{plain.server_address[1]}", f"https://localhost:{tls.server_address[1]}"
        self.targets = {"demo:sehat": base + "/sehat", "demo:lambat": base + "/lambat",
                        "demo:terjadwal": base + "/terjadwal", "demo:sertifikat": secure + "/"}
        return self

    def _serve(self, context: ssl.SSLContext | None) -> ThreadingHTTPServer:
        server = _QuietServer(("127.0.0.1", 0), _Handler)
        if context is not None:
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, name="monitor-demo-endpoint", daemon=True).start()
        self._servers.append(server)
        return server

    def verify_context(self) -> ssl.SSLContext:
        """A client context trusting the demo authority (and nothing else)."""
        return ssl.create_default_context(cadata=self.authority[0].decode())

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()


def _service(name, target, link, purpose, audience, steps, contact, interval_s=60, public=True, keyword=None, failures=3):
    return {"name": name, "kind": "http", "target": target, "link": link, "interval_s": interval_s, "timeout_s": 10,
            "failures_before_down": failures, "public": public, "keyword": keyword, "contact": contact,
            "purpose_id": purpose[0], "purpose_en": purpose[1], "audience_id": audience[0], "audience_en": audience[1],
            "steps_id": steps[0], "steps_en": steps[1]}


CITIZENS = ("Semua warga", "Every resident")
DISKOMINFO = "Diskominfo & Persandian Kota Ambon · (0911) 312 345 · diskominfo@ambon.go.id"

CITY_SERVICES = (
    _service("ambon.go.id", "demo:sehat", "https://ambon.go.id",
             ("Situs resmi Pemerintah Kota Ambon: berita, pengumuman, profil dinas.", "The City of Ambon's official site: news, announcements, agencies."),
             CITIZENS, ("Buka ambon.go.id\nPilih menu yang dicari", "Open ambon.go.id\nChoose the menu you need"), DISKOMINFO, keyword="Layanan"),
    _service("E-Lapor / SP4N-LAPOR", "demo:sehat", "https://www.lapor.go.id",
             ("Menyampaikan pengaduan dan aspirasi kepada pemerintah.", "Send a complaint or suggestion to the government."),
             CITIZENS, ("Buka lapor.go.id atau laman Lapor di portal ini\nTulis laporan dan lokasinya\nSimpan nomor tiket untuk melacak",
                        "Open lapor.go.id or the report page of this portal\nDescribe the problem and where\nKeep the ticket number to follow it"),
             "Command Center Kota Ambon · (0911) 355 112"),
    _service("LPSE Kota Ambon", "demo:lambat", "https://lpse.ambon.go.id",
             ("Pengadaan barang dan jasa pemerintah secara elektronik.", "Electronic public procurement of goods and services."),
             ("Penyedia barang/jasa yang terdaftar", "Registered suppliers"),
             ("Daftar sebagai penyedia\nVerifikasi dokumen di kantor LPSE\nIkuti tender secara daring",
              "Register as a supplier\nHave documents verified at the LPSE office\nTake part in tenders online"), "LPSE Kota Ambon · lpse@ambon.go.id"),
    _service("SIMDATIK", "demo:sehat", "https://simdatik.ambon.go.id",
             ("Data statistik sektoral Kota Ambon.", "Sectoral statistics of the City of Ambon."), CITIZENS,
             ("Buka SIMDATIK\nCari data menurut dinas atau tema", "Open SIMDATIK\nFind data by agency or topic"), DISKOMINFO),
    _service("Ambon Access", "demo:terjadwal", "https://access.ambon.go.id",
             ("Aplikasi layanan publik terpadu untuk warga.", "The city's all-in-one public service app."), CITIZENS,
             ("Unduh aplikasi atau buka situsnya\nDaftar dengan NIK\nPilih layanan", "Download the app or open the site\nSign up with your NIK\nChoose a service"),
             DISKOMINFO, interval_s=30, failures=2),
    _service("DPMPTSP (perizinan)", "demo:sehat", "https://dpmptsp.ambon.go.id",
             ("Perizinan dan penanaman modal satu pintu.", "One-stop licensing and investment."),
             ("Pelaku usaha dan warga", "Businesses and residents"),
             ("Siapkan KTP dan dokumen usaha\nAjukan izin secara daring\nPantau status permohonan",
              "Prepare your ID card and business papers\nApply online\nFollow your application"), "DPMPTSP Kota Ambon · (0911) 344 200"),
    _service("SIMAK", "demo:sehat", "https://simak.ambon.go.id",
             ("Sistem informasi manajemen kepegawaian.", "Civil-service staff management."), ("Aparatur Sipil Negara Kota Ambon", "City civil servants"),
             ("Masuk dengan NIP\nPerbarui data kepegawaian", "Log in with your NIP\nUpdate your staff record"), "BKPSDM Kota Ambon", public=False),
    _service("Simantap", "demo:sehat", "https://simantap.ambon.go.id",
             ("Pemantauan pembangunan dan anggaran daerah.", "Monitoring of city development and budget."), ("Perangkat daerah", "City agencies"),
             ("Masuk dengan akun dinas\nIsi capaian bulanan", "Log in with the agency account\nEnter monthly progress"), "Bappeda-Litbang Kota Ambon", public=False),
    _service("Kotak Informasi (PPID)", "demo:sehat", "https://ppid.ambon.go.id",
             ("Permohonan informasi publik.", "Requests for public information."), CITIZENS,
             ("Isi formulir permohonan\nTunggu jawaban paling lama 10 hari kerja", "Fill in the request form\nExpect an answer within 10 working days"),
             "PPID Kota Ambon · ppid@ambon.go.id"),
    _service("GIS Kota Ambon", "demo:sehat", "https://gis.ambon.go.id",
             ("Peta tematik kota: tata ruang, banjir, fasilitas umum.", "Thematic city maps: zoning, floods, public facilities."), CITIZENS,
             ("Buka peta\nPilih lapisan yang ingin dilihat", "Open the map\nChoose the layers to show"), DISKOMINFO),
    _service("Pajak daerah online", "demo:sertifikat", "https://pajak.ambon.go.id",
             ("Pembayaran dan pelaporan pajak daerah (restoran, hotel, PBB).", "Paying and filing local taxes (restaurants, hotels, property)."),
             ("Wajib pajak daerah", "Local taxpayers"),
             ("Masuk dengan NPWPD\nLaporkan omzet bulanan\nBayar lewat bank atau QRIS", "Log in with your NPWPD\nFile monthly turnover\nPay at a bank or by QRIS"),
             "Badan Pendapatan Daerah Kota Ambon · (0911) 352 800"),
    _service("Videotron kota", "demo:sehat", None,
             ("Layar informasi publik di pusat kota.", "Public information screens in the city centre."), CITIZENS,
             ("Lihat di Lapangan Merdeka dan Jalan A.Y. Patty", "See them at Lapangan Merdeka and Jalan A.Y. Patty"), DISKOMINFO, public=False),
)
"""The e-services the study names, with what each is for, who may use it and how (both languages)."""


def seed_services(engine: Engine) -> int:
    """Add the city's services when the monitor has none yet; how many were added."""
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(MonitoredService)):
            return 0
    for fields in CITY_SERVICES:
        save_service(engine, fields)
    return len(CITY_SERVICES)
