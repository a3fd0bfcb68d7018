"""Build the demo SP4N LAPOR! exports ``seeds/lapor-kutim-2022-2024.csv`` and
``seeds/lapor-kutim-2025-2026.csv``.

Synthetic exports of the complaints routed by Kabupaten Kutai Timur (64.08), as a
coordinator would have pulled them from LAPOR!: one taken in January 2025 covering
2022-01-01 .. 2024-12-31, one taken in November 2026 covering 2025-01-01 up to a few days
before it (so the demo shows KPIs and PRIORITAS flags for the current year of the plan).
Each is written as Indonesian Excel saves it: ``;`` delimiter, UTF-8 with BOM,
CRLF line endings, day-first dates in WITA (``dd/mm/yyyy HH:MM``, a few rows
``dd-mm-yyyy HH:MM:SS``), tracking ids sometimes written ``#1234567`` (see
shared/domain.md, "SP4N LAPOR! export").  Unit names come from ``seeds/units.csv`` next to
this file: mostly the official name, ~25% one of its aliases (with the odd capitalisation
and stray spaces of hand-typed data) and ~3% names that match no unit at all, so the demo
shows units that still need an alias.

The lifecycle is consistent: verification 0-5 working days after submission, disposition
the same day or a few working days later, first follow-up 0-20 working days after
disposition (some units fast, some slow, all a little faster every year), completion
1-40 days after the follow-up (auto-close after 10 days is the common case).  Working days
skip weekends and the Indonesian public holidays and cuti bersama from the ``holidays``
package.  Each export is taken at its ``export_at``: events after it have not happened
yet, so the last weeks' complaints are still open (late-2024 ones stay open in the demo:
the later export does not cover them).  A handful of rows carry deliberate data-quality
faults (``Selesai`` without ``Tanggal Selesai``, ``Proses`` without
``Tanggal Tindak Lanjut``).

The last six columns (reporter name, phone, e-mail, NIK, address, complaint text) are
personal data that the importer must drop; here they are obviously synthetic
(``(contoh)`` names, ``0812-0000-xxxx``, ``@example.invalid``, NIK ``6408000000xxxxxx``).

Deterministic: every random choice comes from ``random.Random(SEED)`` and nothing reads
the clock, so every run writes the same bytes.

Run from anywhere:  .venv/bin/python seeds/build_lapor.py
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from renaksi.lapor.calendar import national_holidays

HERE = Path(__file__).resolve().parent
UNITS_CSV = HERE / "units.csv"


@dataclass(frozen=True)
class Export:
    """One export file: who is in it, when it was taken, where it goes."""

    out: Path
    seed: int
    volume: dict[int, int]  # complaints submitted per year (the whole year)
    export_at: datetime  # WITA; events after this have not happened yet
    first_tracking: int  # tracking ids grow from here


EXPORTS = (
    Export(
        out=HERE / "lapor-kutim-2022-2024.csv",
        seed=64_08_1708,
        volume={2022: 1030, 2023: 1170, 2024: 1320},
        export_at=datetime(2025, 1, 6, 8, 30),
        first_tracking=2_318_000,
    ),
    Export(
        out=HERE / "lapor-kutim-2025-2026.csv",
        seed=64_08_2025,
        volume={2025: 1410, 2026: 1490},
        export_at=datetime(2026, 11, 23, 8, 30),
        first_tracking=4_350_000,  # above every id of the earlier export
    ),
)

HEADER = [
    "No Tracking",
    "Tanggal Laporan",
    "Kanal",
    "Klasifikasi",
    "Kategori",
    "Sub Kategori",
    "Instansi Tujuan",
    "Status",
    "Tanggal Verifikasi",
    "Tanggal Disposisi",
    "Tanggal Tindak Lanjut",
    "Tanggal Selesai",
    "Anonim",
    "Rahasia",
    # personal data: dropped by the importer
    "Nama Pelapor",
    "No HP",
    "Email",
    "NIK",
    "Alamat",
    "Isi Laporan",
]

# --- calendar ------------------------------------------------------------------------

HOLIDAYS = frozenset(national_holidays(range(2022, max(e.export_at.year for e in EXPORTS) + 2)))


def is_workday(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def nth_workday(start: date, n: int) -> date:
    """The working day ``d`` with exactly ``n`` working days in ``[start, d)``."""
    d = start
    while not is_workday(d):
        d += timedelta(days=1)
    for _ in range(n):
        d += timedelta(days=1)
        while not is_workday(d):
            d += timedelta(days=1)
    return d


OFFICE_START, OFFICE_END = 7 * 60 + 30, 16 * 60 + 30  # minutes after midnight, WITA
LAST_MINUTE = 23 * 60 + 59


def on_day(
    rng: random.Random, day: date, after: datetime | None, evening: bool = False
) -> datetime:
    """A moment on ``day`` in office hours, at least 5 minutes after ``after``.

    When ``after`` is late on the same day the event happens in overtime, or on the
    next working day when the day is over.
    """
    lo, hi = OFFICE_START, 20 * 60 if evening else OFFICE_END
    if after is not None and day == after.date():
        start = after.hour * 60 + after.minute + 5
        if start > LAST_MINUTE - 30:
            return on_day(rng, nth_workday(day + timedelta(days=1), 0), None)
        if start >= hi - 15:
            lo, hi = start, min(start + 120, LAST_MINUTE)
        else:
            lo = max(lo, start)
    m = rng.randint(lo, hi)
    return datetime(day.year, day.month, day.day, m // 60, m % 60)


# --- the region ----------------------------------------------------------------------

# kecamatan name -> unit code, with a rough weight for how many complaints come from it
KECAMATAN = {
    "Sangatta Utara": ("64.08.04", 120),
    "Sangatta Selatan": ("64.08.12", 50),
    "Bengalon": ("64.08.09", 55),
    "Muara Wahau": ("64.08.02", 28),
    "Sangkulirang": ("64.08.05", 24),
    "Kongbeng": ("64.08.08", 20),
    "Teluk Pandan": ("64.08.13", 20),
    "Rantau Pulung": ("64.08.14", 16),
    "Muara Ancalong": ("64.08.01", 16),
    "Kaliorang": ("64.08.10", 14),
    "Muara Bengkal": ("64.08.03", 13),
    "Telen": ("64.08.07", 11),
    "Kaubun": ("64.08.15", 10),
    "Busang": ("64.08.06", 9),
    "Karangan": ("64.08.16", 9),
    "Sandaran": ("64.08.11", 9),
    "Batu Ampar": ("64.08.17", 7),
    "Long Mesangat": ("64.08.18", 7),
}
KEC = "KEC"  # routing placeholder: the kecamatan the complaint comes from


@dataclass(frozen=True)
class Sub:
    name: str
    units: dict[str, int]  # unit code (or KEC) -> weight
    texts: tuple[str, ...]  # {kec} and {rt} are filled in


@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    subs: tuple[Sub, ...]
    unmatched: tuple[str, ...] = ()  # unit names (matching no unit) seen for this category
    season: dict[int, float] = field(default_factory=dict)  # month -> weight factor


CATEGORIES = (
    Category(
        "PEKERJAAN UMUM DAN PENATAAN RUANG",
        21,
        (
            Sub(
                "Jalan Rusak",
                {"PUPR": 86, KEC: 9, "DISHUB": 5},
                (
                    "Jalan poros di RT {rt} Kecamatan {kec} rusak berat dan berlubang, mohon segera diperbaiki.",
                    "Jalan lingkungan RT {rt} di {kec} berlumpur saat hujan, kendaraan sulit lewat.",
                    "Perbaikan jalan di {kec} terhenti sejak beberapa bulan, material dibiarkan di bahu jalan.",
                ),
            ),
            Sub(
                "Jembatan",
                {"PUPR": 90, KEC: 10},
                ("Jembatan kayu penghubung RT {rt} di {kec} lapuk dan membahayakan warga.",),
            ),
            Sub(
                "Drainase dan Banjir",
                {"PUPR": 72, "BPBD": 10, KEC: 18},
                (
                    "Drainase di RT {rt} {kec} tersumbat sehingga air meluap ke rumah warga setiap hujan.",
                    "Banjir di kawasan {kec} belum ditangani, warga meminta normalisasi saluran.",
                ),
            ),
            Sub(
                "Penataan Ruang dan Bangunan",
                {"PUPR": 60, "DPMPTSP": 28, "SATPOLPP": 12},
                ("Ada bangunan berdiri di atas saluran air di {kec}, mohon ditertibkan.",),
            ),
        ),
        ("Dinas PU Kutim", "Dinas Pekerjaan Umum Kab. Kutai Timur", "PDAM Tirta Tuah Benua"),
        {11: 1.35, 12: 1.4, 1: 1.4, 2: 1.3, 3: 1.2},
    ),
    Category(
        "KESEHATAN",
        12,
        (
            Sub(
                "Pelayanan Puskesmas",
                {"DINKES": 100},
                (
                    "Pelayanan di puskesmas {kec} lambat, antrean sejak pagi belum dipanggil.",
                    "Petugas puskesmas di {kec} tidak ada di tempat pada jam pelayanan.",
                ),
            ),
            Sub(
                "Pelayanan Rumah Sakit",
                {"RSUD-KUDUNGGA": 75, "DINKES": 25},
                (
                    "Pasien rujukan dari {kec} menunggu lama di IGD rumah sakit, mohon pelayanan diperbaiki.",
                ),
            ),
            Sub(
                "Jaminan Kesehatan",
                {"DINKES": 70, "DINSOS": 30},
                ("Kartu BPJS PBI warga RT {rt} {kec} tidak aktif saat berobat.",),
            ),
            Sub(
                "Obat dan Tenaga Kesehatan",
                {"DINKES": 100},
                ("Stok obat di pustu {kec} sering kosong, warga harus membeli sendiri.",),
            ),
        ),
        ("Puskesmas Sangatta Utara", "UPT Puskesmas Bengalon", "Dinas Kesehatan Kab. Kutim"),
    ),
    Category(
        "ADMINISTRASI KEPENDUDUKAN",
        11,
        (
            Sub(
                "KTP Elektronik",
                {"DISDUKCAPIL": 95, KEC: 5},
                (
                    "KTP elektronik saya belum jadi sejak perekaman di {kec} beberapa bulan lalu.",
                    "Blangko KTP-el di {kec} kosong, mohon informasi kapan tersedia.",
                ),
            ),
            Sub(
                "Kartu Keluarga",
                {"DISDUKCAPIL": 95, KEC: 5},
                ("Pengurusan perubahan kartu keluarga di {kec} belum selesai.",),
            ),
            Sub(
                "Akta Kelahiran dan Kematian",
                {"DISDUKCAPIL": 100},
                ("Akta kelahiran anak yang diajukan dari {kec} belum terbit.",),
            ),
            Sub(
                "Pindah Datang Penduduk",
                {"DISDUKCAPIL": 100},
                ("Surat pindah datang ke {kec} belum diproses, mohon ditindaklanjuti.",),
            ),
        ),
        ("Dukcapil Kutim",),
        {2: 1.3, 10: 1.2, 11: 1.3},
    ),
    Category(
        "PENDIDIKAN DAN KEBUDAYAAN",
        9,
        (
            Sub(
                "Penerimaan Peserta Didik Baru",
                {"DISDIKBUD": 100},
                ("Anak kami tidak diterima di sekolah terdekat di {kec} padahal masuk zonasi.",),
            ),
            Sub(
                "Sarana dan Prasarana Sekolah",
                {"DISDIKBUD": 100},
                ("Atap ruang kelas SD di {kec} bocor dan plafon hampir runtuh.",),
            ),
            Sub(
                "Tenaga Pendidik",
                {"DISDIKBUD": 80, "BKPSDM": 20},
                ("Insentif guru honorer di {kec} belum dibayarkan beberapa bulan.",),
            ),
            Sub(
                "Beasiswa",
                {"DISDIKBUD": 60, "BAG-KESRA": 40},
                ("Pencairan beasiswa mahasiswa asal {kec} belum ada kabar.",),
            ),
            Sub(
                "Kebudayaan",
                {"DISBUD": 70, "DISDIKBUD": 30},
                ("Situs budaya di {kec} tidak terawat, mohon perhatian.",),
            ),
        ),
        ("Disdik Kutim", "SMP Negeri 1 Sangatta Utara"),
        {6: 2.4, 7: 2.0},
    ),
    Category(
        "KETENAGAKERJAAN",
        5,
        (
            Sub(
                "Hubungan Industrial dan Upah",
                {"DISNAKERTRANS": 100},
                ("Perusahaan di {kec} membayar upah di bawah UMK dan menunda THR.",),
            ),
            Sub(
                "Rekrutmen Tenaga Kerja Lokal",
                {"DISNAKERTRANS": 90, KEC: 10},
                ("Perusahaan tambang di {kec} lebih banyak menerima pekerja dari luar daerah.",),
            ),
            Sub(
                "Transmigrasi",
                {"DISNAKERTRANS": 100},
                ("Lahan usaha warga transmigrasi di {kec} belum bersertifikat.",),
            ),
        ),
    ),
    Category(
        "SOSIAL",
        6,
        (
            Sub(
                "Bantuan Sosial",
                {"DINSOS": 85, KEC: 15},
                ("Bantuan sosial di RT {rt} {kec} tidak tepat sasaran, warga mampu menerima.",),
            ),
            Sub(
                "Data Terpadu Kesejahteraan Sosial",
                {"DINSOS": 100},
                ("Keluarga kami di {kec} belum masuk DTKS padahal sudah mendaftar.",),
            ),
            Sub(
                "Penyandang Disabilitas dan Lansia",
                {"DINSOS": 100},
                ("Lansia terlantar di RT {rt} {kec} membutuhkan bantuan.",),
            ),
        ),
        ("Dinas Sosial Kutim",),
    ),
    Category(
        "LINGKUNGAN HIDUP DAN KEHUTANAN",
        6,
        (
            Sub(
                "Persampahan",
                {"DLH": 88, KEC: 12},
                ("Sampah di TPS RT {rt} {kec} tidak diangkut lebih dari seminggu.",),
            ),
            Sub(
                "Pencemaran Lingkungan",
                {"DLH": 100},
                ("Air sungai di {kec} keruh diduga tercemar limbah perusahaan.",),
            ),
            Sub(
                "Kebisingan dan Debu",
                {"DLH": 80, "SATPOLPP": 20},
                ("Debu angkutan batu bara di {kec} mengganggu kesehatan warga.",),
            ),
        ),
    ),
    Category(
        "PERHUBUNGAN",
        4,
        (
            Sub(
                "Lampu Lalu Lintas dan Rambu",
                {"DISHUB": 100},
                ("Lampu lalu lintas di simpang {kec} mati sejak beberapa hari.",),
            ),
            Sub(
                "Angkutan dan Parkir",
                {"DISHUB": 100},
                ("Parkir liar di depan pasar {kec} menyebabkan kemacetan.",),
            ),
            Sub(
                "Penerangan Jalan Umum",
                {"DISHUB": 60, "DISPERKIM": 40},
                ("Lampu penerangan jalan di RT {rt} {kec} padam, rawan kecelakaan.",),
            ),
        ),
    ),
    Category(
        "ENERGI DAN SUMBER DAYA MINERAL",
        4,
        (
            Sub(
                "Listrik",
                {"BAG-SDA": 40, "BAG-EKON": 25, KEC: 35},
                ("Listrik di {kec} sering padam berjam-jam tanpa pemberitahuan.",),
            ),
            Sub(
                "Pertambangan",
                {"BAG-SDA": 60, "DLH": 40},
                ("Lubang bekas tambang di {kec} tidak direklamasi dan membahayakan anak-anak.",),
            ),
            Sub(
                "BBM dan LPG",
                {"DISPERINDAG": 70, "BAG-EKON": 30},
                ("Elpiji 3 kg langka di {kec} dan dijual di atas HET.",),
            ),
        ),
        ("PLN ULP Sangatta",),
    ),
    Category(
        "PERTANIAN DAN PETERNAKAN",
        3,
        (
            Sub(
                "Pupuk Bersubsidi",
                {"DISTAN": 100},
                ("Petani di {kec} kesulitan mendapatkan pupuk bersubsidi.",),
            ),
            Sub(
                "Bantuan Alat dan Bibit",
                {"DISTAN": 70, "DISBUN": 30},
                ("Bantuan bibit untuk kelompok tani di {kec} belum disalurkan.",),
            ),
            Sub(
                "Kesehatan Hewan",
                {"DISNAKKESWAN": 100},
                ("Ternak sapi warga {kec} banyak yang sakit, mohon pemeriksaan.",),
            ),
            Sub(
                "Perkebunan",
                {"DISBUN": 100},
                ("Pembagian kebun plasma sawit di {kec} belum jelas.",),
            ),
        ),
    ),
    Category(
        "KOMUNIKASI DAN INFORMATIKA",
        4,
        (
            Sub(
                "Jaringan Internet dan Sinyal",
                {"DISKOMINFO": 100},
                ("Sinyal telepon dan internet di {kec} sangat lemah, mohon dibangun BTS.",),
            ),
            Sub(
                "Layanan Website dan Aplikasi",
                {"DISKOMINFO": 100},
                ("Situs layanan pemerintah daerah tidak bisa diakses dari {kec}.",),
            ),
            Sub(
                "Informasi Publik",
                {"DISKOMINFO": 100},
                ("Mohon informasi jadwal pelayanan keliling di {kec}.",),
            ),
        ),
    ),
    Category(
        "KETENTERAMAN, KETERTIBAN UMUM DAN PERLINDUNGAN MASYARAKAT",
        3,
        (
            Sub(
                "Pedagang Kaki Lima",
                {"SATPOLPP": 100},
                ("Pedagang kaki lima berjualan di trotoar {kec} mengganggu pejalan kaki.",),
            ),
            Sub(
                "Gangguan Ketertiban",
                {"SATPOLPP": 70, KEC: 30},
                ("Balap liar setiap malam minggu di jalan utama {kec}.",),
            ),
            Sub(
                "Kebakaran dan Penyelamatan",
                {"DAMKAR": 100},
                ("Hidran di kawasan padat penduduk {kec} tidak berfungsi.",),
            ),
            Sub(
                "Bencana",
                {"BPBD": 100},
                ("Tanah longsor di RT {rt} {kec} mengancam rumah warga.",),
            ),
        ),
    ),
    Category(
        "PERUMAHAN DAN KAWASAN PERMUKIMAN",
        2.5,
        (
            Sub(
                "Rumah Tidak Layak Huni",
                {"DISPERKIM": 100},
                ("Program bedah rumah di RT {rt} {kec} belum dikerjakan.",),
            ),
            Sub(
                "Air Bersih dan Sanitasi",
                {"DISPERKIM": 55, "PUPR": 45},
                ("Air bersih di RT {rt} {kec} tidak mengalir sejak seminggu.",),
            ),
        ),
        ("PDAM Tirta Tuah Benua",),
    ),
    Category(
        "EKONOMI DAN KEUANGAN",
        2,
        (
            Sub(
                "Pajak Daerah",
                {"BAPENDA": 100},
                ("Tagihan PBB rumah saya di {kec} tidak sesuai dengan luas bangunan.",),
            ),
            Sub(
                "Keuangan dan Aset Daerah",
                {"BPKAD": 100},
                ("Aset gedung pemerintah di {kec} terbengkalai dan tidak dimanfaatkan.",),
            ),
        ),
    ),
    Category(
        "PEMBANGUNAN DESA, DAERAH TERTINGGAL DAN TRANSMIGRASI",
        3.5,
        (
            Sub(
                "Dana Desa",
                {"DPMD": 55, KEC: 35, "INSPEKTORAT": 10},
                (
                    "Penggunaan dana desa di {kec} tidak transparan, papan informasi tidak dipasang.",
                ),
            ),
            Sub(
                "Pelayanan Pemerintah Desa",
                {KEC: 70, "DPMD": 30},
                ("Kantor desa di {kec} sering tutup pada jam kerja.",),
            ),
        ),
        ("Kantor Desa Swarga Bara", "Kelurahan Teluk Lingga"),
    ),
    Category(
        "REFORMASI BIROKRASI DAN TATA KELOLA",
        2,
        (
            Sub(
                "Pungutan Liar",
                {"INSPEKTORAT": 100},
                ("Ada pungutan tanpa dasar saat mengurus surat di {kec}.",),
            ),
            Sub(
                "Disiplin ASN",
                {"BKPSDM": 60, "INSPEKTORAT": 40},
                ("Pegawai kantor layanan di {kec} sering terlambat masuk kerja.",),
            ),
            Sub(
                "Perizinan",
                {"DPMPTSP": 100},
                ("Pengurusan izin usaha dari {kec} belum selesai melewati batas waktu.",),
            ),
        ),
    ),
    Category(
        "INDUSTRI DAN PERDAGANGAN",
        2,
        (
            Sub(
                "Harga Kebutuhan Pokok",
                {"DISPERINDAG": 80, "DKP": 20},
                ("Harga beras dan minyak goreng di pasar {kec} naik tinggi.",),
            ),
            Sub(
                "Pasar Tradisional",
                {"DISPERINDAG": 100},
                ("Atap los pasar tradisional {kec} bocor dan becek.",),
            ),
            Sub(
                "Koperasi dan UMKM",
                {"DISKOPUKM": 100},
                ("Bantuan modal UMKM untuk pelaku usaha di {kec} belum cair.",),
            ),
        ),
    ),
    Category(
        "PEMBERDAYAAN PEREMPUAN DAN PERLINDUNGAN ANAK",
        1.5,
        (
            Sub(
                "Perlindungan Perempuan dan Anak",
                {"DP3A": 100},
                ("Mohon pendampingan untuk korban kekerasan dalam rumah tangga di {kec}.",),
            ),
            Sub(
                "Keluarga Berencana",
                {"DPPKB": 100},
                ("Layanan KB gratis di {kec} tidak tersedia bulan ini.",),
            ),
        ),
    ),
    Category(
        "PARIWISATA, KEPEMUDAAN DAN OLAHRAGA",
        1.5,
        (
            Sub(
                "Objek Wisata",
                {"DISPAR": 100},
                ("Fasilitas objek wisata di {kec} rusak dan tidak terawat.",),
            ),
            Sub(
                "Sarana Olahraga",
                {"DISPORA": 100},
                ("Lapangan olahraga di {kec} tidak bisa dipakai karena rusak.",),
            ),
        ),
    ),
    Category(
        "TOPIK LAINNYA",
        5,
        (
            Sub(
                "Pelayanan Kecamatan",
                {KEC: 100},
                ("Pelayanan surat keterangan di kantor camat {kec} berbelit-belit.",),
            ),
            Sub(
                "Lain-lain",
                {KEC: 40, "BAG-TAPEM": 15, "SETDA": 15, "BAG-UMUM": 10, "DISKOMINFO": 20},
                ("Mohon kejelasan tindak lanjut usulan warga {kec} yang disampaikan tahun lalu.",),
            ),
            Sub(
                "Aspirasi Pembangunan",
                {"BAPPEDA": 55, KEC: 45},
                ("Warga {kec} mengusulkan pembangunan balai pertemuan di RT {rt}.",),
            ),
        ),
        ("Kantor Desa Swarga Bara", "Kelurahan Teluk Lingga"),
    ),
)

# Share of follow-ups within 5 working days of disposition in 2022; +0.05 a year after.
SPEED = {
    "DISKOMINFO": 0.92,
    "DISDUKCAPIL": 0.88,
    "DAMKAR": 0.9,
    "BPBD": 0.85,
    "DPMPTSP": 0.85,
    "SATPOLPP": 0.82,
    "DISHUB": 0.8,
    "BAPENDA": 0.8,
    "64.08.04": 0.8,  # Sangatta Utara
    "64.08.12": 0.76,  # Sangatta Selatan
    "DISDIKBUD": 0.7,
    "DINSOS": 0.68,
    "DINKES": 0.6,
    "RSUD-KUDUNGGA": 0.6,
    "DLH": 0.58,
    "DISPERKIM": 0.52,
    "DISNAKERTRANS": 0.5,
    "BAG-SDA": 0.5,
    "64.08.09": 0.45,  # Bengalon
    "PUPR": 0.42,
}
DEFAULT_SPEED = 0.72
YEAR_GAIN = {2022: 0.0, 2023: 0.05, 2024: 0.1, 2025: 0.12, 2026: 0.13}
STUCK_TERDISPOSISI = {2022: 0.045, 2023: 0.035, 2024: 0.025, 2025: 0.02, 2026: 0.02}
STUCK_PROSES = 0.03  # reporter disputes the answer; never closed

KANAL = {
    2022: {"WhatsApp": 30, "Website": 32, "Android": 21, "SMS 1708": 11, "Twitter": 6},
    2023: {"WhatsApp": 34, "Website": 30, "Android": 22, "SMS 1708": 8, "Twitter": 6},
    2024: {"WhatsApp": 38, "Website": 28, "Android": 23, "SMS 1708": 6, "Twitter": 5},
    2025: {"WhatsApp": 41, "Website": 27, "Android": 24, "SMS 1708": 4, "Twitter": 4},
    2026: {"WhatsApp": 43, "Website": 26, "Android": 25, "SMS 1708": 3, "Twitter": 3},
}
KLASIFIKASI = {"Pengaduan": 80, "Aspirasi": 12, "Permintaan Informasi": 8}
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6, 5, 6, 6, 5, 4, 4, 4, 5, 5, 4, 3, 2]

LABELS = {
    "SELESAI": {"Selesai": 85, "SELESAI": 10, "selesai": 5},
    "PROSES": {
        "Ditindaklanjuti oleh Instansi": 45,
        "Proses": 40,
        "PROSES": 10,
        "ditindaklanjuti oleh instansi": 5,
    },
    "TERDISPOSISI": {"Terdisposisi": 50, "Belum Ditindaklanjuti": 40, "TERDISPOSISI": 10},
    "BELUM_TERVERIFIKASI": {"Belum Terverifikasi": 85, "BELUM TERVERIFIKASI": 15},
    "TUNDA": {"Tunda": 80, "TUNDA": 20},
    "BUKAN_WEWENANG": {"Bukan Wewenang": 80, "BUKAN WEWENANG": 20},
    "ARSIP": {"Arsip": 80, "ARSIP": 20},
}

GIVEN = (
    "Budi", "Siti", "Agus", "Dewi", "Andi", "Sri", "Rudi", "Nur", "Eko", "Rina",
    "Ahmad", "Wahyu", "Yanti", "Hendra", "Fitri", "Joko", "Ratna", "Dedi", "Lina", "Irfan",
)  # fmt: skip
SECOND = (
    "Santoso", "Rahayu", "Saputra", "Lestari", "Hidayat", "Wulandari", "Pratama",
    "Susanti", "Setiawan", "Handayani", "Kurniawan", "Permata",
)  # fmt: skip


@dataclass
class Complaint:
    submitted: datetime
    year: int
    kanal: str
    klasifikasi: str
    category: Category
    sub: Sub
    kec: str
    unit: str  # unit code it is routed to
    status: str = ""
    verified: datetime | None = None
    disposed: datetime | None = None
    followed: datetime | None = None
    resolved: datetime | None = None
    routed: bool = True  # False: never reached a unit (Instansi Tujuan empty)
    anonim: bool = False
    rahasia: bool = False


def pick(rng: random.Random, weights: dict[str, float] | dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def speed(unit: str, year: int) -> float:
    return min(SPEED.get(unit, DEFAULT_SPEED) + YEAR_GAIN[year], 0.96)


# --- one complaint -------------------------------------------------------------------


def submissions(rng: random.Random, export: Export) -> list[tuple[datetime, Category]]:
    out: list[tuple[datetime, Category]] = []
    for year, volume in export.volume.items():
        days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
        days = [d for d in days if d.year == year]
        weights = [1.0 if is_workday(d) else 0.55 for d in days]
        for d in rng.choices(days, weights=weights, k=volume):
            if d >= export.export_at.date():
                continue  # not submitted yet when the export was taken
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            at = datetime(d.year, d.month, d.day, hour, rng.randint(0, 59))
            cw = [c.weight * c.season.get(d.month, 1.0) for c in CATEGORIES]
            out.append((at, rng.choices(CATEGORIES, weights=cw)[0]))
    out.sort(key=lambda t: t[0])
    return out


def lifecycle(rng: random.Random, c: Complaint, export_at: datetime) -> str:
    """Plan every event of ``c``, keep those up to ``export_at``; return the status."""
    fate = rng.random()
    outcome = "SELESAI"
    if fate < 0.03:
        outcome = "ARSIP"
    elif fate < 0.05:
        outcome = "BUKAN_WEWENANG"
    elif fate < 0.06:
        outcome = "TUNDA"
    elif fate < 0.063:
        outcome = "BELUM_TERVERIFIKASI"  # lost in the admin's queue
    else:
        slow = speed(c.unit, c.year) < 0.6
        r = rng.random()
        stuck = STUCK_TERDISPOSISI[c.year] * (1.8 if slow else 1.0)
        if r < stuck:
            outcome = "TERDISPOSISI"
        elif r < stuck + STUCK_PROSES:
            outcome = "PROSES"

    # verification: 0-5 working days, never late at night on the same day
    n = rng.choices(range(6), weights=[35, 30, 17, 10, 5, 3])[0]
    if n == 0 and c.submitted.hour * 60 + c.submitted.minute > 15 * 60:
        n = 1
    verified = on_day(rng, nth_workday(c.submitted.date(), n), c.submitted)
    if outcome == "BELUM_TERVERIFIKASI":
        c.routed = False
        return "BELUM_TERVERIFIKASI"
    if outcome == "ARSIP" and rng.random() < 0.6:  # archived as incomplete at verification
        c.routed = False
        c.verified = verified if verified <= export_at else None
        return "ARSIP" if c.verified else "BELUM_TERVERIFIKASI"

    # disposition: with the verification, or 1-3 working days later
    n = rng.choices(range(4), weights=[55, 25, 12, 8])[0]
    if n == 0:
        disposed = verified + timedelta(minutes=rng.randint(1, 20))
        if disposed.date() != verified.date():
            disposed = on_day(rng, nth_workday(verified.date(), 1), None)
    else:
        disposed = on_day(rng, nth_workday(verified.date(), n), None)
    if disposed > export_at:
        c.routed = False
        return "BELUM_TERVERIFIKASI"
    c.verified, c.disposed = verified, disposed
    if outcome == "ARSIP" or (outcome == "BUKAN_WEWENANG" and rng.random() < 0.5):
        return outcome

    # first follow-up: the unit's speed decides on time (<= 5 working days) or late
    if rng.random() < speed(c.unit, c.year):
        n = rng.choices(range(6), weights=[20, 26, 20, 15, 11, 8])[0]
    else:
        n = rng.choices(range(6, 21), weights=range(15, 0, -1))[0]
    followed = on_day(rng, nth_workday(disposed.date(), n), disposed, rng.random() < 0.1)
    if outcome in ("BUKAN_WEWENANG", "TUNDA"):  # the unit answers it is not theirs / later
        if (outcome == "BUKAN_WEWENANG" or rng.random() < 0.6) and followed <= export_at:
            c.followed = followed
        return outcome
    if outcome == "TERDISPOSISI" or followed > export_at:
        return "TERDISPOSISI"
    c.followed = followed

    # completion: auto-close after 10 days, the reporter closing earlier, or later after
    # a further exchange; slow units see more long ones
    long_share = min(max(0.12 + (0.75 - speed(c.unit, c.year)) * 0.4, 0.06), 0.3)
    r = rng.random()
    if r < long_share:
        resolved = on_day(rng, followed.date() + timedelta(days=rng.randint(11, 40)), None)
    elif r < long_share + 0.3:
        resolved = followed + timedelta(days=rng.randint(1, 9), minutes=rng.randint(0, 600))
    else:
        resolved = followed + timedelta(days=10, minutes=rng.randint(1, 59))
    if outcome == "PROSES" or resolved > export_at:
        return "PROSES"
    c.resolved = resolved
    return "SELESAI"


# --- rendering -----------------------------------------------------------------------


def load_units() -> dict[str, tuple[str, list[str]]]:
    with UNITS_CSV.open(encoding="utf-8", newline="") as f:
        return {
            row["code"]: (row["name"], [a for a in row["aliases"].split("|") if a])
            for row in csv.DictReader(f)
        }


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def messy(rng: random.Random, name: str) -> str:
    """The name as somebody typed it: other capitalisation or stray spaces."""
    how = rng.randrange(5)
    if how == 0:
        return name.upper()
    if how == 1:
        return name.lower()
    if how == 2 and " " in name:
        i = rng.choice([i for i, ch in enumerate(name) if ch == " "])
        return name[:i] + "  " + name[i + 1 :]
    if how == 3:
        return name + " "
    return " " + name


def unit_label(rng: random.Random, c: Complaint, units: dict[str, tuple[str, list[str]]]) -> str:
    if not c.routed:
        return ""
    if c.category.unmatched and rng.random() < 0.04:
        return rng.choice(c.category.unmatched)
    name, aliases = units[c.unit]
    r = rng.random()
    if r < 0.25 and aliases:
        alias = rng.choice(aliases)
        return messy(rng, alias) if rng.random() < 0.35 else alias
    if r < 0.29:
        return name.upper()
    return name


def fmt(dt: datetime | None, alt: bool) -> str:
    if dt is None:
        return ""
    return dt.strftime("%d-%m-%Y %H:%M:%S" if alt else "%d/%m/%Y %H:%M")


def with_seconds(rng: random.Random, dt: datetime | None) -> datetime | None:
    return None if dt is None else dt.replace(second=rng.randint(0, 59))


def main() -> None:
    for export in EXPORTS:
        build(export)


def build(export: Export) -> None:
    rng = random.Random(export.seed)
    units = load_units()
    known = {normalise(k) for k in units}
    for name, aliases in units.values():
        known |= {normalise(name), *(normalise(a) for a in aliases)}
    for cat in CATEGORIES:
        for sub in cat.subs:
            assert all(u == KEC or u in units for u in sub.units), sub.units
        for u in cat.unmatched:
            assert normalise(u) not in known, f"{u!r} matches a unit"
    for code, _w in KECAMATAN.values():
        assert code in units, code

    kec_names = list(KECAMATAN)
    kec_weights = [w for _c, w in KECAMATAN.values()]
    complaints: list[Complaint] = []
    for submitted, cat in submissions(rng, export):
        sub = rng.choice(cat.subs)
        kec = rng.choices(kec_names, weights=kec_weights)[0]
        unit = pick(rng, sub.units)
        if unit == KEC:
            unit = KECAMATAN[kec][0]
        klas = pick(rng, KLASIFIKASI)
        if sub.name == "Informasi Publik":
            klas = "Permintaan Informasi"
        elif sub.name == "Aspirasi Pembangunan":
            klas = "Aspirasi"
        c = Complaint(
            submitted=submitted,
            year=submitted.year,
            kanal=pick(rng, KANAL[submitted.year]),
            klasifikasi=klas,
            category=cat,
            sub=sub,
            kec=kec,
            unit=unit,
            anonim=rng.random() < 0.1,
            rahasia=rng.random() < 0.05,
        )
        c.status = lifecycle(rng, c, export.export_at)
        complaints.append(c)

    # deliberate data-quality faults, reported as warnings by the KPI code
    last_year = max(export.volume)
    old_done = [c for c in complaints if c.status == "SELESAI" and c.year < last_year]
    for c in rng.sample(old_done, 6):
        c.resolved = None
    in_process = [c for c in complaints if c.status == "PROSES"]
    for c in rng.sample(in_process, 4):
        c.followed = None

    rows: list[list[str]] = []
    tracking = export.first_tracking
    for seq, c in enumerate(complaints, start=1):
        tracking += rng.randint(250, 750)
        tid = f"#{tracking}" if rng.random() < 0.1 else str(tracking)
        alt = rng.random() < 0.03
        dates = [with_seconds(rng, d) for d in (c.verified, c.disposed, c.followed, c.resolved)]
        submitted = c.submitted.replace(second=rng.randint(0, 59))
        text = rng.choice(c.sub.texts).format(kec=c.kec, rt=rng.randint(1, 40))
        if c.anonim:
            person = ["", "", "", "", ""]
        else:
            email = f"pelapor.contoh.{seq:04d}@example.invalid"
            if c.kanal in ("SMS 1708", "Twitter") or (c.kanal == "WhatsApp" and rng.random() < 0.7):
                email = ""
            person = [
                f"{rng.choice(GIVEN)} {rng.choice(SECOND)} (contoh)",
                f"0812-0000-{seq % 10_000:04d}",
                email,
                f"6408000000{seq:06d}",
                f"Jl. Contoh No. {rng.randint(1, 150)}, {c.kec}",
            ]
        rows.append(
            [
                tid,
                fmt(submitted, alt),
                c.kanal,
                c.klasifikasi,
                c.category.name,
                c.sub.name,
                unit_label(rng, c, units),
                pick(rng, LABELS[c.status]),
                *(fmt(d, alt) for d in dates),
                "Ya" if c.anonim else "Tidak",
                "Ya" if c.rahasia else "Tidak",
                *person,
                text,
            ]
        )
    rows.reverse()  # LAPOR! lists the newest complaint first

    with export.out.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(rows)
    print(f"wrote {export.out} ({len(rows)} complaints)")


if __name__ == "__main__":
    main()
