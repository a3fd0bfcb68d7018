"""The official vocabulary shared by every feature (codes stay as users know them)."""

from enum import StrEnum


class Role(StrEnum):
    """Who may do what (see renaksi.auth.policy)."""

    ADMIN = "admin"
    KOORDINATOR = "koordinator"
    PERENCANA = "perencana"
    BAPPEDA = "bappeda"


class LockKind(StrEnum):
    """Period locks: progress entry per quarter, usulan entry per year."""

    PROGRESS = "PROGRESS"
    USULAN = "USULAN"


class UnitKind(StrEnum):
    SEKRETARIAT = "sekretariat"
    BAGIAN = "bagian"
    INSPEKTORAT = "inspektorat"
    DINAS = "dinas"
    BADAN = "badan"
    KANTOR = "kantor"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    RSUD = "rsud"
    LAINNYA = "lainnya"


class Direction(StrEnum):
    """Arah: whether higher (naik) or lower (turun) values of an indicator are better."""

    NAIK = "naik"
    TURUN = "turun"


class ProgressStatus(StrEnum):
    BELUM_MULAI = "BELUM_MULAI"
    BERJALAN = "BERJALAN"
    SELESAI = "SELESAI"
    TERTUNDA = "TERTUNDA"
    DIBATALKAN = "DIBATALKAN"


class Stage(StrEnum):
    """Tahap of a budget line."""

    USULAN = "USULAN"
    DPA = "DPA"
    DPPA = "DPPA"
    REALISASI = "REALISASI"


class Source(StrEnum):
    """Sumber dana. ``NON_APBD`` (donor help) never counts as usulan or pagu."""

    PAD = "PAD"
    DAU = "DAU"
    DAK_FISIK = "DAK_FISIK"
    DAK_NONFISIK = "DAK_NONFISIK"
    DBH = "DBH"
    INSENTIF_FISKAL = "INSENTIF_FISKAL"
    HIBAH = "HIBAH"
    BLUD = "BLUD"
    SILPA = "SILPA"
    NON_APBD = "NON_APBD"


class Flag(StrEnum):
    TANPA_PAGU = "TANPA_PAGU"
    KURANG_PAGU = "KURANG_PAGU"
    BELUM_USULAN = "BELUM_USULAN"
    PRIORITAS = "PRIORITAS"


FLAG_LABELS: dict[Flag, str] = {
    Flag.TANPA_PAGU: "Tanpa pagu",
    Flag.KURANG_PAGU: "Pagu kurang dari usulan",
    Flag.BELUM_USULAN: "Belum ada usulan",
    Flag.PRIORITAS: "Prioritas pendanaan",
}


class ComplaintStatus(StrEnum):
    """Canonical SP4N LAPOR! complaint statuses (domain.md)."""

    BELUM_TERVERIFIKASI = "BELUM_TERVERIFIKASI"
    TERDISPOSISI = "TERDISPOSISI"
    PROSES = "PROSES"
    SELESAI = "SELESAI"
    TUNDA = "TUNDA"
    BUKAN_WEWENANG = "BUKAN_WEWENANG"
    ARSIP = "ARSIP"


class KpiName(StrEnum):
    """Complaint-handling KPIs an action can be linked to (domain.md)."""

    RECEIVED = "received"
    FOLLOWED_UP = "followed_up"
    PCT_FOLLOWED_UP = "pct_followed_up"
    RESOLVED = "resolved"
    PCT_RESOLVED = "pct_resolved"
    RESPONSE_ON_TIME = "response_on_time"
    RESPONSE_LATE = "response_late"
    PCT_RESPONSE_ON_TIME = "pct_response_on_time"
    MEDIAN_RESPONSE_WORKDAYS = "median_response_workdays"
    PCT_RESOLVED_WITHIN_60D = "pct_resolved_within_60d"
