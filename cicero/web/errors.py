"""The error envelope of api.md §5: `{"success": false, "message", "error": {code, fields,
request_id}}`, with one Indonesian message per code. Handlers raise `ApiError`; the
middleware writes it (and turns anything unexpected into a 500 without a stack)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES: dict[str, str] = {
    "bad_request": "Permintaan tidak valid.",
    "unauthenticated": "Sesi Anda tidak berlaku. Silakan login kembali.",
    "forbidden": "Anda tidak memiliki akses ke fitur ini.",
    "out_of_scope": "Data satker tersebut di luar kewenangan Anda.",
    "not_self": "Anda hanya dapat mengakses data Anda sendiri.",
    "csrf": "Permintaan ditolak (token keamanan tidak cocok). Muat ulang halaman.",
    "not_found": "Data tidak ditemukan.",
    "method_not_allowed": "Metode permintaan tidak didukung untuk alamat ini.",
    "too_large": "Isi permintaan terlalu besar.",
    "report_exists": "Anda sudah melaporkan link untuk konten ini.",
    "link_duplicate": "Link tersebut sudah pernah dilaporkan.",
    "handle_taken": "Username tersebut sudah dipakai pengguna lain.",
    "conflict": "Permintaan bertentangan dengan keadaan data saat ini.",
    "stale_version": "Data telah diubah orang lain. Muat ulang lalu coba lagi.",
    "invalid": "Data yang dikirim tidak valid.",
    "invalid_link": "Link tidak valid untuk kolom tersebut.",
    "no_links": "Isi minimal satu link.",
    "window_closed": "Batas waktu pelaporan untuk konten ini sudah lewat.",
    "rate_limited": "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
    "locked": "Terlalu banyak percobaan login. Coba lagi nanti.",
    "upstream": "Layanan Instagram sedang tidak dapat dihubungi. Coba lagi nanti.",
    "internal": "Terjadi kesalahan pada server. Coba lagi nanti.",
    "unavailable": "Layanan sedang tidak tersedia. Coba lagi nanti.",
}
# After a failed login the app shows `message`: the same words for an unknown NRP and a wrong
# password (W8), and what to do for people without a password.
LOGIN_FAILED = "NRP/NIP atau password salah. Belum punya password? Ketik *userrequest* di WhatsApp."
INACTIVE = "Akun Anda tidak aktif. Hubungi operator satker Anda."


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str | None = None,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        if code not in MESSAGES:
            raise ValueError(f"no message for error code {code!r}")
        self.status = status
        self.code = code
        self.message = message or MESSAGES[code]
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})  # siblings of `error` (A6's `duplicates`, A1's `data`)


def envelope(err: ApiError, request_id: str) -> dict[str, Any]:
    return {
        "success": False,
        "message": err.message,
        **err.extra,
        "error": {"code": err.code, "fields": err.fields, "request_id": request_id},
    }


def bad_request(fields: Mapping[str, str], code: str = "bad_request") -> ApiError:
    return ApiError(400 if code == "bad_request" else 422, code, fields=fields)
