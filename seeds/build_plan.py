"""Build the demo plan workbook ``seeds/renaksi-2022-2026.xlsx``.

Renaksi SP4N LAPOR! 2022-2026 of Kabupaten Kutai Timur (64.08): sheets ``Aksi``,
``Anggaran`` and ``KPI`` in the layout the app imports (see shared/domain.md,
"Files people bring").  Unit codes come from ``seeds/units.csv`` next to this file.

Deterministic: every random choice comes from ``random.Random(SEED)``, so running the
script twice gives the same cell values.  Budget lines are designed so that every
budget flag shows up in every year 2022-2026 (funded, KURANG_PAGU, TANPA_PAGU,
BELUM_USULAN, a DPPA replacing the DPA up and down, off-budget NON_APBD donor help).

Run from anywhere:  .venv/bin/python seeds/build_plan.py
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
UNITS_CSV = HERE / "units.csv"
OUT_XLSX = HERE / "renaksi-2022-2026.xlsx"

SEED = 64_08_2022
YEARS = (2022, 2023, 2024, 2025, 2026)
CURRENT_YEAR = 2026  # no REALISASI lines for the running year
MIN_LINE, MAX_LINE = 15_000_000, 750_000_000

AKSI_HEADER = [
    "Kode Aksi",
    "Sasaran",
    "Aksi",
    "Indikator",
    "Satuan",
    "Arah",
    "Baseline",
    "Target 2022",
    "Target 2023",
    "Target 2024",
    "Target 2025",
    "Target 2026",
    "PD Penanggung Jawab",
    "PD Terkait",
    "Kode Sub Kegiatan",
    "Keterangan",
]
ANGGARAN_HEADER = ["Kode Aksi", "Tahun", "Tahap", "Sumber Dana", "Jumlah", "PD", "Keterangan"]
KPI_HEADER = [
    "Kode Aksi",
    "KPI",
    "PD",
    "Target 2022",
    "Target 2023",
    "Target 2024",
    "Target 2025",
    "Target 2026",
]

SASARAN = [
    "Tersedianya regulasi dan SOP pengelolaan pengaduan",
    "Meningkatnya kapasitas admin dan penghubung SP4N LAPOR!",
    "Terintegrasinya kanal pengaduan",
    "Meningkatnya partisipasi masyarakat melalui sosialisasi",
    "Meningkatnya kepatuhan tindak lanjut pengaduan",
    "Terlaksananya monitoring, evaluasi dan pelaporan triwulan kepada Bupati",
]

Target = float | None
_: None = None  # an empty target cell: the action is not active that year


@dataclass(frozen=True)
class Aksi:
    sasaran: int  # 1-based index into SASARAN
    title: str
    indikator: str
    satuan: str
    arah: str  # naik | turun
    baseline: float
    targets: tuple[Target, ...]  # 5 values (2022..2026), None = not active
    lead: str
    terkait: tuple[str, ...]  # supporting unit codes
    sub_kegiatan: str
    keterangan: str
    base_juta: int  # typical yearly request, million Rupiah
    sumber: str  # main funding source


# fmt: off
AKSI = [
    # --- 1. regulasi dan SOP -------------------------------------------------------
    Aksi(1, "Penyusunan Peraturan Bupati tentang pengelolaan pengaduan pelayanan publik",
         "Peraturan Bupati pengelolaan pengaduan ditetapkan", "Dokumen", "naik", 0,
         (1, _, _, 1, _), "BAG-HUKUM", ("DISKOMINFO", "BAG-ORG"), "4.01.01.2.04.0002",
         "Revisi 2025 menyesuaikan Perpres 76/2013 dan perubahannya", 85, "DAU"),
    Aksi(1, "Penyusunan SOP penanganan pengaduan oleh admin dan operator",
         "SOP penanganan pengaduan disusun/direviu", "Dokumen", "naik", 0,
         (1, 1, 1, 1, 1), "DISKOMINFO", ("BAG-ORG", "INSPEKTORAT"), "2.16.02.2.01.02",
         "Reviu tahunan", 45, "DAU"),
    Aksi(1, "Penyusunan SOP tindak lanjut pengaduan pada Perangkat Daerah",
         "SOP tindak lanjut pengaduan ditetapkan", "Dokumen", "naik", 0,
         (1, 1, _, 1, _), "BAG-ORG", ("DISKOMINFO",), "4.01.03.2.01.0003", "", 40, "DAU"),
    Aksi(1, "Penetapan Keputusan Bupati tentang Tim Pengelola SP4N LAPOR!",
         "Keputusan Bupati tim pengelola ditetapkan", "Dokumen", "naik", 0,
         (1, 1, 1, 1, 1), "DISKOMINFO", ("BAG-HUKUM",), "2.16.02.2.01.0001",
         "Diperbarui setiap awal tahun", 25, "PAD"),
    Aksi(1, "Penyusunan SOP laporan triwulan pengelolaan pengaduan kepada Bupati",
         "SOP laporan triwulan ditetapkan", "Dokumen", "naik", 0,
         (_, 1, _, _, _), "DISKOMINFO", ("BAG-ORG",), "2.16.02.2.01.0001",
         "Reviu SOP diusulkan 2024, belum ditetapkan targetnya", 35, "DAU"),
    Aksi(1, "Penetapan maklumat dan standar pelayanan pengaduan di Perangkat Daerah",
         "Persentase PD yang menetapkan maklumat pelayanan pengaduan", "Persen", "naik", 20,
         (40, 60, 80, 100, 100), "BAG-ORG", ("INSPEKTORAT",), "4.01.03.2.01.0002", "", 70, "DAU"),
    # --- 2. kapasitas admin dan penghubung -----------------------------------------
    Aksi(2, "Bimbingan teknis admin penghubung PD",
         "Jumlah admin penghubung yang mengikuti bimtek", "Orang", "naik", 30,
         (60, 65, 70, 70, 75), "DISKOMINFO", ("BKPSDM",), "2.16.02.2.01.0005", "", 260, "DAU"),
    Aksi(2, "Penetapan admin penghubung pada seluruh PD dan kecamatan",
         "Persentase PD dan kecamatan yang memiliki admin penghubung aktif", "Persen", "naik", 45,
         (70, 85, 95, 100, 100), "DISKOMINFO", ("BKPSDM", "BAG-ORG"), "2.16.02.2.01.0004",
         "", 30, "PAD"),
    Aksi(2, "Pelatihan penulisan tanggapan pengaduan yang berkualitas",
         "Jumlah ASN yang dilatih menulis tanggapan", "Orang", "naik", 0,
         (_, 40, 40, 50, 50), "BKPSDM", ("DISKOMINFO",), "5.03.05.2.01.0003",
         "Dimulai 2023; usulan 2022 tidak masuk target", 120, "DAU"),
    Aksi(2, "Bimbingan teknis pengelolaan pengaduan bagi aparatur desa",
         "Jumlah aparatur desa yang mengikuti bimtek", "Orang", "naik", 0,
         (_, 70, 80, 80, 80), "DPMD", ("DISKOMINFO", "64.08.02", "64.08.06"),
         "2.13.05.2.01.0002", "Dua orang per desa", 210, "DBH"),
    Aksi(2, "Pemberian penghargaan admin penghubung berkinerja terbaik",
         "Jumlah admin penghubung yang menerima penghargaan", "Orang", "naik", 0,
         (_, _, 5, 5, 5), "DISKOMINFO", ("BKPSDM",), "2.16.02.2.01.0005", "", 50, "PAD"),
    Aksi(2, "Rapat koordinasi berkala admin penghubung",
         "Jumlah rapat koordinasi yang dilaksanakan", "Kegiatan", "naik", 2,
         (4, 4, 4, 4, 4), "DISKOMINFO", (), "2.16.02.2.01.0004", "Satu kali per triwulan",
         40, "DAU"),
    Aksi(2, "Pendampingan teknis admin penghubung di kecamatan pedalaman",
         "Jumlah kecamatan yang didampingi", "Kecamatan", "naik", 0,
         (_, 6, 9, 12, 18), "DISKOMINFO", ("64.08.02", "64.08.06", "64.08.18"),
         "2.16.02.2.01.0005", "Prioritas Busang, Muara Wahau, Long Mesangat", 150, "DBH"),
    # --- 3. integrasi kanal --------------------------------------------------------
    Aksi(3, "Integrasi kanal WhatsApp dan SMS 1708 ke SP4N LAPOR!",
         "Jumlah kanal pengaduan yang terintegrasi", "Kanal", "naik", 2,
         (3, 4, 4, 5, 5), "DISKOMINFO", (), "2.16.03.2.02.0001",
         "Kanal: web, Android, WhatsApp, SMS 1708, Twitter", 380, "INSENTIF_FISKAL"),
    Aksi(3, "Integrasi aplikasi pengaduan Dinas Kesehatan, Disdukcapil dan PUPR ke SP4N LAPOR!",
         "Jumlah aplikasi pengaduan PD yang terhubung", "Aplikasi", "naik", 0,
         (_, 1, 2, 3, 4), "DISKOMINFO", ("DINKES", "DISDUKCAPIL", "PUPR"), "2.16.03.2.02.0003",
         "", 320, "DAU"),
    Aksi(3, "Integrasi pengaduan layanan RSUD Kudungga ke SP4N LAPOR!",
         "Persentase pengaduan RSUD yang tercatat di SP4N LAPOR!", "Persen", "naik", 10,
         (_, 50, 70, 90, 100), "RSUD-KUDUNGGA", ("DISKOMINFO", "DINKES"), "1.02.01.2.10.0001",
         "Dibiayai BLUD", 140, "BLUD"),
    Aksi(3, "Penyediaan layanan pengaduan tatap muka (Pojok LAPOR!) di Mal Pelayanan Publik",
         "Jumlah gerai pengaduan tatap muka yang beroperasi", "Gerai", "naik", 0,
         (_, 1, 1, 1, 1), "DPMPTSP", ("DISKOMINFO", "DISDUKCAPIL"), "2.18.04.2.01.0002",
         "", 95, "PAD"),
    Aksi(3, "Integrasi pengaduan administrasi kependudukan ke SP4N LAPOR!",
         "Persentase pengaduan adminduk yang diteruskan melalui SP4N LAPOR!", "Persen", "naik", 15,
         (40, 60, 75, 90, 95), "DISDUKCAPIL", ("DISKOMINFO",), "2.12.02.2.03.0001",
         "Sebagian dari DAK Non Fisik Dana Pelayanan Adminduk", 110, "DAK_NONFISIK"),
    Aksi(3, "Penyediaan infrastruktur jaringan dan server pendukung kanal pengaduan",
         "Tingkat ketersediaan (uptime) layanan kanal pengaduan", "Persen", "naik", 95,
         (97, 98, 99, 99, 99.5), "DISKOMINFO", (), "2.16.03.2.02.0015", "", 450, "DBH"),
    # --- 4. sosialisasi ------------------------------------------------------------
    Aksi(4, "Sosialisasi SP4N LAPOR! di kecamatan",
         "Jumlah kecamatan yang telah disosialisasikan", "Kecamatan", "naik", 3,
         (6, 9, 12, 15, 18), "DISKOMINFO", ("64.08.04", "64.08.12", "64.08.09"),
         "2.16.02.2.01.0003", "Kumulatif", 180, "DAU"),
    Aksi(4, "Sosialisasi SP4N LAPOR! di desa dan kelurahan Kecamatan Sangatta Utara",
         "Jumlah desa/kelurahan yang disosialisasikan (kumulatif)", "Desa", "naik", 0,
         (2, 4, 4, 4, 4), "64.08.04", ("64.08.12", "DISKOMINFO"), "7.01.02.2.01.03",
         "", 45, "DAU"),
    Aksi(4, "Sosialisasi SP4N LAPOR! bagi warga desa di Kecamatan Muara Wahau",
         "Jumlah desa yang disosialisasikan", "Desa", "naik", 0,
         (_, 3, 6, 9, 10), "64.08.02", ("DISKOMINFO",), "7.01.02.2.01.0003", "", 40, "DAU"),
    Aksi(4, "Sosialisasi kanal pengaduan di Kecamatan Sangkulirang",
         "Jumlah desa yang disosialisasikan", "Desa", "naik", 0,
         (3, 6, 9, 12, 15), "64.08.05", ("DISKOMINFO",), "7.01.02.2.01.0003", "", 35, "PAD"),
    Aksi(4, "Sosialisasi SP4N LAPOR! kepada pelajar SMP",
         "Jumlah sekolah yang disosialisasikan", "Sekolah", "naik", 0,
         (_, 10, 20, 30, 40), "DISDIKBUD", ("DISKOMINFO",), "1.01.02.2.02.0012", "", 75, "DAU"),
    Aksi(4, "Publikasi SP4N LAPOR! melalui media sosial, radio dan baliho",
         "Jumlah materi publikasi yang ditayangkan", "Konten", "naik", 24,
         (48, 60, 72, 84, 96), "DISKOMINFO", (), "2.16.02.2.01.0003", "", 190, "PAD"),
    Aksi(4, "Sosialisasi kanal pengaduan layanan puskesmas",
         "Jumlah puskesmas yang memasang media informasi pengaduan", "Puskesmas", "naik", 5,
         (8, 12, 16, 21, 21), "DINKES", ("DISKOMINFO",), "1.02.02.2.02.0036", "", 65, "DAU"),
    Aksi(4, "Forum konsultasi publik pelayanan pengaduan bersama tokoh masyarakat",
         "Jumlah forum konsultasi publik yang dilaksanakan", "Kegiatan", "naik", 0,
         (1, 2, 2, 2, 2), "KESBANGPOL", ("DISKOMINFO",), "8.01.03.2.01.0001", "", 60, "DAU"),
    # --- 5. kepatuhan tindak lanjut ------------------------------------------------
    Aksi(5, "Monitoring dan evaluasi tindak lanjut pengaduan per PD",
         "Persentase pengaduan yang ditindaklanjuti", "Persen", "naik", 62,
         (70, 75, 80, 85, 90), "DISKOMINFO", ("INSPEKTORAT",), "2.16.02.2.01.0002", "", 90, "DAU"),
    Aksi(5, "Percepatan tanggapan pertama atas pengaduan",
         "Median waktu tanggapan pertama", "Hari kerja", "turun", 9,
         (7, 5, 5, 4, 3), "DISKOMINFO", ("BAG-ORG",), "2.16.02.2.01.0002", "", 70, "PAD"),
    Aksi(5, "Pengawasan kepatuhan PD terhadap batas waktu tindak lanjut pengaduan",
         "Jumlah laporan hasil pengawasan", "Laporan", "naik", 0,
         (1, 2, 2, 2, 2), "INSPEKTORAT", ("DISKOMINFO",), "6.01.02.2.01.0001", "", 110, "DAU"),
    Aksi(5, "Penyelesaian pengaduan bidang pekerjaan umum dan penataan ruang",
         "Persentase pengaduan bidang PUPR yang selesai", "Persen", "naik", 40,
         (55, 65, 75, 80, 85), "PUPR", ("DISKOMINFO",), "1.03.01.2.02.0001", "", 85, "DBH"),
    Aksi(5, "Penyelesaian pengaduan layanan kesehatan dalam 60 hari",
         "Persentase pengaduan kesehatan selesai dalam 60 hari", "Persen", "naik", 45,
         (55, 60, 70, 80, 85), "DINKES", ("RSUD-KUDUNGGA",), "1.02.01.2.02.0002", "", 60, "DAU"),
    Aksi(5, "Percepatan tindak lanjut pengaduan tingkat kecamatan di Bengalon",
         "Persentase pengaduan kecamatan yang ditindaklanjuti", "Persen", "naik", 50,
         (60, 70, 75, 80, 85), "64.08.09", ("DISKOMINFO",), "7.01.02.2.01.0005", "", 30, "DAU"),
    Aksi(5, "Penurunan pengaduan yang melewati batas penyelesaian 60 hari",
         "Persentase pengaduan yang terlambat diselesaikan", "Persen", "turun", 35,
         (_, 25, 20, 15, 10), "BAG-ORG", ("INSPEKTORAT", "DISKOMINFO"), "4.01.03.2.01.0004",
         "", 55, "DAU"),
    # --- 6. monev dan pelaporan triwulan -------------------------------------------
    Aksi(6, "Penyampaian laporan triwulan kepada Bupati",
         "Jumlah laporan triwulan yang disampaikan", "Laporan", "naik", 0,
         (4, 4, 4, 4, 4), "DISKOMINFO", ("BAG-ORG",), "2.16.02.2.01.0002", "", 35, "DAU"),
    Aksi(6, "Penyusunan laporan tahunan pengelolaan pengaduan",
         "Laporan tahunan pengelolaan pengaduan tersusun", "Dokumen", "naik", 0,
         (1, 1, 1, 1, 1), "DISKOMINFO", (), "2.16.02.2.01.0002", "", 30, "PAD"),
    Aksi(6, "Evaluasi capaian Renaksi SP4N LAPOR! dalam dokumen perencanaan daerah",
         "Dokumen evaluasi Renaksi yang diintegrasikan ke RKPD", "Dokumen", "naik", 0,
         (_, 1, 1, 1, 1), "BAPPEDA", ("DISKOMINFO",), "5.01.02.2.01.0004", "", 65, "DAU"),
    Aksi(6, "Pengintegrasian data pengaduan dalam Satu Data Kutai Timur",
         "Jumlah dataset pengaduan yang dipublikasikan", "Dataset", "naik", 0,
         (2, 4, 6, 8, 10), "DISKOMINFO", ("BAPPEDA",), "2.20.02.2.01.0001", "", 55, "PAD"),
    Aksi(6, "Reviu kinerja pengelolaan pengaduan dalam evaluasi SAKIP dan reformasi birokrasi",
         "Jumlah laporan reviu", "Laporan", "naik", 0,
         (1, 1, 1, 1, 1), "INSPEKTORAT", ("BAG-ORG",), "6.01.02.2.02.0003", "", 75, "DAU"),
    Aksi(6, "Penilaian kepatuhan standar pelayanan publik bersama Ombudsman RI",
         "Persentase PD pada zona hijau kepatuhan", "Persen", "naik", 30,
         (40, 50, 60, 75, 90), "BAG-ORG", ("INSPEKTORAT", "DISKOMINFO"), "4.01.03.2.01.0002",
         "", 80, "DAU"),
]

# KPI rows: (Kode Aksi, KPI, PD ("" = lead unit), targets 2022..2026)
KPI_ROWS = [
    ("A.03.03", "pct_response_on_time",     "",            (_, 70, 75, 80, 90)),
    ("A.05.01", "pct_followed_up",          "",            (70, 75, 80, 85, 90)),
    ("A.05.01", "pct_resolved",             "",            (50, 60, 65, 70, 75)),
    ("A.05.02", "median_response_workdays", "",            (5, 4, 4, 3, 3)),
    ("A.05.02", "pct_response_on_time",     "",            (60, 70, 75, 80, 85)),
    ("A.05.03", "pct_response_on_time",     "DINKES",      (65, 70, 75, 80, 85)),
    ("A.05.03", "pct_response_on_time",     "DISDUKCAPIL", (70, 75, 80, 85, 90)),
    ("A.05.04", "pct_resolved",             "",            (55, 65, 75, 80, 85)),
    ("A.05.04", "median_response_workdays", "",            (6, 5, 5, 4, 4)),
    ("A.05.05", "pct_resolved_within_60d",  "",            (55, 60, 70, 80, 85)),
    ("A.05.06", "pct_followed_up",          "",            (60, 70, 75, 80, 85)),
    ("A.05.07", "pct_resolved_within_60d",  "PUPR",        (_, 70, 75, 80, 85)),
]
# fmt: on

# ---------------------------------------------------------------------------------
# Budget scenarios.  Per action-year one scenario decides the USULAN / DPA / DPPA lines:
#   F   funded: DPA = usulan                       DU  DPA < usulan, DPPA tops up (SiLPA)
#   F2  funded, split over two sources or units    DD  DPA = usulan, DPPA cuts it
#   K   KURANG_PAGU: 0 < DPA < usulan               TZ  DPA = usulan, DPPA sets it to 0
#   T1  TANPA_PAGU: only an USULAN line             B1  BELUM_USULAN: DPA without request
#   T0  TANPA_PAGU: USULAN and a DPA of Rp 0        B0  BELUM_USULAN + TANPA_PAGU: no lines
#   B2  BELUM_USULAN + TANPA_PAGU: an USULAN of Rp 0 only
# ---------------------------------------------------------------------------------

# Hand-picked action-years that tell a story in the demo: (Kode Aksi, year) -> scenario.
STORY = {
    ("A.02.01", 2022): "TZ",  # bimtek cut to zero in the 2022 refocusing (donor still helped)
    ("A.04.01", 2022): "K",
    ("A.05.01", 2025): "DD",
    ("A.05.01", 2026): "K",  # monev tindak lanjut squeezed lately
    ("A.05.02", 2026): "K",
    ("A.05.04", 2025): "T1",
    ("A.05.04", 2026): "K",  # PUPR follow-up without pagu
    ("A.05.05", 2026): "T0",  # Dinkes: request not accommodated
    ("A.05.06", 2025): "B2",
    ("A.05.06", 2026): "B0",  # Bengalon stopped filing requests
    ("A.05.07", 2024): "B1",  # DPA from pokir DPRD, no request
    ("A.06.01", 2022): "F",
    ("A.06.01", 2023): "F",
    ("A.06.01", 2024): "F",
    ("A.06.01", 2025): "DU",
    ("A.06.01", 2026): "F",  # the quarterly report is always paid
}
# Off-budget donor help (NON_APBD, never counts): (Kode Aksi, year) -> (note, share of base)
DONOR = {
    ("A.02.01", 2022): ("Dukungan USAID ERAT: fasilitator bimtek admin penghubung", 0.40),
    ("A.02.04", 2023): ("Dukungan USAID ERAT: modul bimtek aparatur desa", 0.30),
    ("A.04.01", 2023): ("Dukungan USAID ERAT: narasumber dan modul sosialisasi", 0.35),
    ("A.04.01", 2024): ("Dukungan USAID ERAT: narasumber dan modul sosialisasi", 0.30),
    ("A.04.01", 2025): ("Dukungan USAID ERAT: sosialisasi kecamatan pedalaman", 0.30),
    ("A.04.06", 2024): ("CSR PT Kaltim Prima Coal: baliho dan spanduk SP4N LAPOR!", 0.20),
    ("A.05.04", 2025): ("CSR PT Kaltim Prima Coal: sosialisasi pengaduan infrastruktur", 0.25),
    ("A.02.01", 2026): ("Dukungan USAID ERAT: pelatihan lanjutan admin penghubung", 0.25),
}
# Budget lines in years without a target: (Kode Aksi, year) -> (tahap, sumber, juta, note)
OFF_TARGET = {
    ("A.01.01", 2023): ("USULAN", "DAU", 40, "Usulan sosialisasi Perbup; tanpa target"),
    ("A.01.05", 2024): ("USULAN", "DAU", 30, "Usulan reviu SOP triwulan; tanpa target"),
    ("A.02.03", 2022): ("USULAN", "DAU", 95, "Diusulkan 2022, aksi baru masuk target mulai 2023"),
}

REQUIRED_PER_YEAR = ["F", "K", "DU", "DD"]  # plus one T* and one B* (rotating)
T_ROTATION = ["T1", "T0", "TZ", "T1", "T0"]
B_ROTATION = ["B1", "B0", "B2", "B1", "B0"]
WEIGHTS = {  # background mix per year: money was scarcer early in the plan
    2022: {"F": 5, "F2": 2, "K": 5, "T1": 3, "T0": 1, "B0": 1, "B1": 1, "DU": 1, "DD": 3},
    2023: {"F": 6, "F2": 2, "K": 4, "T1": 2, "T0": 1, "B0": 1, "B1": 1, "DU": 2, "DD": 1},
    2024: {"F": 7, "F2": 3, "K": 3, "T1": 2, "T0": 1, "B0": 1, "B1": 1, "DU": 2, "DD": 1},
    2025: {"F": 7, "F2": 3, "K": 3, "T1": 1, "T0": 1, "B0": 1, "B1": 1, "DU": 2, "DD": 2},
    2026: {"F": 6, "F2": 2, "K": 4, "T1": 2, "T0": 1, "B0": 1, "B1": 1, "DU": 1, "DD": 1},
}
SECOND_SOURCE = {
    "DAU": "PAD",
    "PAD": "DAU",
    "DBH": "DAU",
    "INSENTIF_FISKAL": "DAU",
    "DAK_NONFISIK": "DAU",
    "BLUD": "BLUD",
}


@dataclass
class Part:
    """One funding component of an action-year: a source, a unit, and its amounts."""

    sumber: str
    pd: str = ""
    usulan: int | None = None
    dpa: int | None = None
    dppa: int | None = None
    real: int | None = None
    note_usulan: str = ""
    note_dpa: str = ""
    note_dppa: str = ""


def rupiah(x: float, step: int = 1_000) -> int:
    """Round to ``step`` Rupiah and clamp into the realistic line range."""
    v = round(x / step) * step
    return max(MIN_LINE, min(MAX_LINE, v))


def active(a: Aksi, year: int) -> bool:
    return a.targets[YEARS.index(year)] is not None


def assign_scenarios(rng: random.Random) -> dict[tuple[int, int], str]:
    plan: dict[tuple[int, int], str] = {}
    for yi, year in enumerate(YEARS):
        act = [i for i, a in enumerate(AKSI) if active(a, year)]
        fixed = {INDEX[c]: s for (c, y), s in STORY.items() if y == year}
        free = [i for i in act if i not in fixed]
        rng.shuffle(free)
        needed = [*REQUIRED_PER_YEAR, T_ROTATION[yi], B_ROTATION[yi]]
        for s in needed:
            if s not in fixed.values():
                fixed[free.pop()] = s
        names, weights = zip(*WEIGHTS[year].items(), strict=True)
        for i in free:
            fixed[i] = rng.choices(names, weights)[0]
        for i, s in fixed.items():
            plan[(i, year)] = s
    return plan


def build_parts(a: Aksi, year: int, scen: str, rng: random.Random) -> list[Part]:
    growth = 1 + 0.06 * (year - 2022)
    u = rupiah(a.base_juta * 1_000_000 * growth * rng.uniform(0.9, 1.12), 1_000_000)
    src = a.sumber
    renja = f"Renja PD {year}"
    if scen == "F":
        return [Part(src, usulan=u, dpa=u, note_usulan=renja, note_dpa="DPA murni")]
    if scen == "F2":
        share = rng.choice([0.3, 0.4, 0.5])
        u2 = rupiah(u * share, 1_000_000)
        if u - u2 < MIN_LINE:
            return [Part(src, usulan=u, dpa=u, note_usulan=renja, note_dpa="DPA murni")]
        if a.terkait and rng.random() < 0.5:
            pd = a.terkait[0]
            second = Part(
                src if src != "BLUD" else "DAU",
                pd=pd,
                usulan=u2,
                dpa=u2,
                note_usulan=f"Usulan dukungan {pd}",
                note_dpa=f"DPA {pd}",
            )
        else:
            alt = SECOND_SOURCE.get(src, "DAU")
            if alt == src:
                alt = "DAU"
            second = Part(
                alt,
                usulan=u2,
                dpa=rupiah(u2 * rng.choice([1.0, 1.0, 1.05])),
                note_usulan=renja,
                note_dpa="DPA murni",
            )
        return [
            Part(src, usulan=u - u2, dpa=u - u2, note_usulan=renja, note_dpa="DPA murni"),
            second,
        ]
    if scen == "K":
        d = rupiah(u * rng.uniform(0.45, 0.85))
        return [
            Part(src, usulan=u, dpa=d, note_usulan=renja, note_dpa="Dirasionalisasi dalam KUA-PPAS")
        ]
    if scen == "T1":
        return [Part(src, usulan=u, note_usulan=f"{renja}; tidak terakomodasi di APBD")]
    if scen == "T0":
        return [
            Part(
                src,
                usulan=u,
                dpa=0,
                note_usulan=renja,
                note_dpa="Pagu Rp 0: tidak terakomodasi dalam KUA-PPAS",
            )
        ]
    if scen == "TZ":
        return [
            Part(
                src,
                usulan=u,
                dpa=u,
                dppa=0,
                note_usulan=renja,
                note_dpa="DPA murni",
                note_dppa="Refocusing APBD Perubahan: pagu dihapus",
            )
        ]
    if scen == "B0":
        return []
    if scen == "B1":
        d = rupiah(u * rng.uniform(0.6, 1.0))
        return [Part(src, dpa=d, note_dpa="Pokok pikiran DPRD; tanpa usulan PD")]
    if scen == "B2":
        return [Part(src, usulan=0, note_usulan="Usulan belum diinput (Rp 0)")]
    if scen == "DU":
        d = rupiah(u * rng.uniform(0.55, 0.8))
        extra = u - d
        if extra < MIN_LINE:  # tiny gap: revise the same line upwards
            return [
                Part(
                    src,
                    usulan=u,
                    dpa=d,
                    dppa=u,
                    note_usulan=renja,
                    note_dpa="DPA murni",
                    note_dppa="APBD Perubahan: pagu dinaikkan",
                )
            ]
        top = extra if rng.random() < 0.7 else rupiah(extra * 1.1)
        return [
            Part(
                src,
                usulan=u,
                dpa=d,
                dppa=d,
                note_usulan=renja,
                note_dpa="DPA murni",
                note_dppa="APBD Perubahan: tetap",
            ),
            Part("SILPA", dppa=top, note_dppa="APBD Perubahan: tambahan dari SiLPA"),
        ]
    if scen == "DD":
        d2 = rupiah(u * rng.uniform(0.5, 0.8))
        return [
            Part(
                src,
                usulan=u,
                dpa=u,
                dppa=d2,
                note_usulan=renja,
                note_dpa="DPA murni",
                note_dppa="APBD Perubahan: rasionalisasi anggaran",
            )
        ]
    raise ValueError(scen)


def add_realisasi(parts: list[Part], year: int, rng: random.Random) -> None:
    if year >= CURRENT_YEAR:
        return
    has_dppa = any(p.dppa is not None for p in parts)
    for p in parts:
        pagu = p.dppa if has_dppa else p.dpa
        if not pagu or rng.random() < 0.12:  # some realisasi not yet recorded
            continue
        r = int(pagu * rng.uniform(0.72, 0.995)) // 1_000 * 1_000
        p.real = max(r, MIN_LINE) if pagu >= MIN_LINE else pagu


Line = tuple[str, int, str, str, int, str, str]


def budget_lines(units: set[str]) -> list[Line]:
    rng = random.Random(SEED)
    plan = assign_scenarios(rng)
    lines: list[Line] = []
    for i, a in enumerate(AKSI):
        code = aksi_code(i)
        for year in YEARS:
            parts: list[Part] = []
            scen = plan.get((i, year))
            key = (code, year)
            if scen is not None:
                parts = build_parts(a, year, scen, rng)
                if key in DONOR:
                    note, share = DONOR[key]
                    donor_amt = rupiah(a.base_juta * 1_000_000 * share)
                    donor = Part("NON_APBD", dpa=donor_amt, note_dpa=note)
                    if year < CURRENT_YEAR:
                        donor.real = donor_amt
                    parts.append(donor)
                add_realisasi([p for p in parts if p.sumber != "NON_APBD"], year, rng)
            elif key in OFF_TARGET:
                _tahap, sumber, juta, note = OFF_TARGET[key]
                parts = [Part(sumber, usulan=juta * 1_000_000, note_usulan=note)]
            for p in parts:
                assert p.pd == "" or p.pd in units, p.pd
                for tahap, amount, note in (
                    ("USULAN", p.usulan, p.note_usulan),
                    ("DPA", p.dpa, p.note_dpa),
                    ("DPPA", p.dppa, p.note_dppa),
                    ("REALISASI", p.real, f"Realisasi s.d. 31 Desember {year}"),
                ):
                    if amount is not None:
                        if p.sumber == "NON_APBD" and tahap == "REALISASI":
                            note = "Realisasi dukungan mitra (di luar APBD)"
                        lines.append((code, year, tahap, p.sumber, amount, p.pd, note))
    keys = [(c, y, t, s, pd) for c, y, t, s, _amt, pd, _n in lines]
    assert len(keys) == len(set(keys)), "duplicate budget line key"
    return lines


def aksi_code(i: int) -> str:
    a = AKSI[i]
    n = sum(1 for b in AKSI[: i + 1] if b.sasaran == a.sasaran)
    return f"A.{a.sasaran:02d}.{n:02d}"


CODES = [aksi_code(i) for i in range(len(AKSI))]
INDEX = {c: i for i, c in enumerate(CODES)}


def load_units() -> set[str]:
    with UNITS_CSV.open(encoding="utf-8", newline="") as f:
        return {row["code"] for row in csv.DictReader(f)}


def main() -> None:
    units = load_units()
    for a in AKSI:
        for c in (a.lead, *a.terkait):
            assert c in units, f"unknown unit code {c}"
    assert len(set(CODES)) == len(CODES)
    for (c, y), s in STORY.items():
        assert active(AKSI[INDEX[c]], y), (c, y, s)
    for c, y in DONOR:
        assert active(AKSI[INDEX[c]], y), (c, y)
    for c, y in OFF_TARGET:
        assert not active(AKSI[INDEX[c]], y), (c, y)
    for c, _k, pd, _t in KPI_ROWS:
        assert c in INDEX and (pd == "" or pd in units), (c, pd)
    lines = budget_lines(units)

    wb = xlsxwriter.Workbook(
        OUT_XLSX,
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties(
        {
            "title": "Renaksi SP4N LAPOR! Kabupaten Kutai Timur 2022-2026",
            "author": "Diskominfo Staper Kutai Timur (data demo)",
            "created": datetime(2026, 1, 5, 8, 0, 0),
        }
    )  # fixed: byte-stable output
    bold = wb.add_format(
        {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
    )
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    top = wb.add_format({"valign": "top"})
    num = wb.add_format({"valign": "top", "num_format": "#,##0.##"})
    rp = wb.add_format({"num_format": '"Rp" #,##0'})

    def header(ws: Worksheet, cols: list[str], widths: list[int]) -> None:
        for c, (h, w) in enumerate(zip(cols, widths, strict=True)):
            ws.write_string(0, c, h, bold)
            ws.set_column(c, c, w)
        ws.freeze_panes(1, 0)

    # Aksi
    ws = wb.add_worksheet("Aksi")
    header(ws, AKSI_HEADER, [10, 34, 46, 40, 11, 7, 9, 9, 9, 9, 9, 9, 16, 26, 20, 34])
    for r, a in enumerate(AKSI, start=1):
        ws.write_string(r, 0, aksi_code(r - 1), top)
        ws.write_string(r, 1, SASARAN[a.sasaran - 1], wrap)
        ws.write_string(r, 2, a.title, wrap)
        ws.write_string(r, 3, a.indikator, wrap)
        ws.write_string(r, 4, a.satuan, top)
        ws.write_string(r, 5, a.arah, top)
        ws.write_number(r, 6, a.baseline, num)
        for k, t in enumerate(a.targets):
            if t is None:
                ws.write_blank(r, 7 + k, None, num)
            else:
                ws.write_number(r, 7 + k, t, num)
        ws.write_string(r, 12, a.lead, top)
        if a.terkait:
            ws.write_string(r, 13, ";".join(a.terkait), top)
        ws.write_string(r, 14, a.sub_kegiatan, top)
        if a.keterangan:
            ws.write_string(r, 15, a.keterangan, wrap)
    ws.autofilter(0, 0, len(AKSI), len(AKSI_HEADER) - 1)

    # Anggaran
    ws = wb.add_worksheet("Anggaran")
    header(ws, ANGGARAN_HEADER, [10, 7, 11, 16, 18, 14, 52])
    for r, (code, year, tahap, sumber, amount, pd, note) in enumerate(lines, start=1):
        ws.write_string(r, 0, code)
        ws.write_number(r, 1, year)
        ws.write_string(r, 2, tahap)
        ws.write_string(r, 3, sumber)
        ws.write_number(r, 4, amount, rp)
        if pd:
            ws.write_string(r, 5, pd)
        if note:
            ws.write_string(r, 6, note)
    ws.autofilter(0, 0, len(lines), len(ANGGARAN_HEADER) - 1)

    # KPI
    ws = wb.add_worksheet("KPI")
    header(ws, KPI_HEADER, [10, 26, 14, 11, 11, 11, 11, 11])
    for r, (code, kpi, pd, targets) in enumerate(KPI_ROWS, start=1):
        ws.write_string(r, 0, code)
        ws.write_string(r, 1, kpi)
        if pd:
            ws.write_string(r, 2, pd)
        for k, t in enumerate(targets):
            if t is not None:
                ws.write_number(r, 3 + k, t)
    wb.close()
    print(
        f"wrote {OUT_XLSX} ({len(AKSI)} aksi, {len(lines)} budget lines, {len(KPI_ROWS)} KPI rows)"
    )


if __name__ == "__main__":
    main()
