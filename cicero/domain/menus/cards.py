"""The staff card the menus show (self-service, operator menu, complaints)."""

from cicero.domain.menus.model import StaffView


def _handle(h: str | None) -> str:
    return f"@{h}" if h else "-"


def mask(phone: str | None) -> str:
    if not phone:
        return "-"
    return phone[:4] + "*" * max(len(phone) - 7, 1) + phone[-3:]


def staff_card(
    s: StaffView, title: str = "👤 *Identitas Anda*", whatsapp: str | None = "hidden"
) -> str:
    """`whatsapp`: "hidden" (no line), "masked" or "full"."""
    lines = [
        title,
        f"Polres: {s.client_name or s.client_id or '-'}",
        f"Nama: {s.name or '-'}",
        f"Pangkat: {s.rank or '-'}",
        f"NRP/NIP: {s.nrp}",
        f"Satfung: {s.unit or '-'}",
        f"Jabatan: {s.position or '-'}",
    ]
    if "ditbinmas" in s.roles:
        lines.append(f"Desa Binaan: {s.village or '-'}")
    lines += [f"Instagram: {_handle(s.instagram)}", f"TikTok: {_handle(s.tiktok)}"]
    if whatsapp == "full":
        lines.append(f"WhatsApp: {s.whatsapp or '-'}")
    elif whatsapp == "masked":
        lines.append(f"WhatsApp: {mask(s.whatsapp)}")
    lines.append("Status: " + ("🟢 AKTIF" if s.active else "🔴 NONAKTIF"))
    return "\n".join(lines)
