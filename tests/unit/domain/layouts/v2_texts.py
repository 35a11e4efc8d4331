"""What the previous system's code printed for its own tests' inputs (Cicero_V2, Feb 2026).

Facts to match, not code: each text is the output of the V2 function named above it, run on the
mocked rows of the V2 test named in `v2_inputs.py`, at the harnesses' clock (10 Feb 2026
15.20.04 WIB; 21 May 2024 10.00 WIB for the Kasat Binmas reports), with the server in WIB. The
golden tests compare Cicero's rendering of the same inputs with these, line for line, and
spell out every deliberate difference.
"""

# absensiLikesDitbinmasReport()
LIKES_FULL = """\
Mohon ijin Komandan,

📋 Rekap Akumulasi Likes Instagram
*DIREKTORAT BINMAS*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 2
*Daftar Link Konten:*
https://www.instagram.com/p/sc1
https://www.instagram.com/p/sc2

*Jumlah Total Personil :* 5 pers
✅ *Sudah Melaksanakan :* 3 pers
- ✅ *Melaksanakan Lengkap :* 2 pers
- ⚠️ *Melaksanakan kurang lengkap :* 1 pers
❌ *Belum melaksanakan :* 2 pers
⚠️❌ *Belum Update Username Instagram :* 0 pers

*DIV A*
Akumulasi Pelaksanaan: 4 (dari 2 konten)
Jumlah Personil: 2 pers

✅ Melaksanakan Lengkap (2 pers):
- User2, Pelaksanaan: 2/2
- User3, Pelaksanaan: 2/2

*DIV B*
Akumulasi Pelaksanaan: 1 (dari 2 konten)
Jumlah Personil: 2 pers

✅ Melaksanakan Lengkap (0 pers):
-
⚠️ Melaksanakan Kurang Lengkap (1 pers):
- User4, Pelaksanaan: 1/2
❌ Belum melaksanakan (1 pers):
- User5, Pelaksanaan: 0/2

*DITBINMAS*
Akumulasi Pelaksanaan: 0 (dari 2 konten)
Jumlah Personil: 1 pers

✅ Melaksanakan Lengkap (0 pers):
-
❌ Belum melaksanakan (1 pers):
- User1, Pelaksanaan: 0/2

Terimakasih."""

# absensiLikesDitbinmasSimple()
LIKES_SIMPLE = """\
Mohon ijin Komandan,

📋 Rekap Akumulasi Likes Instagram (Simple)
*DIREKTORAT BINMAS*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 2
*Daftar Link Konten:*
https://www.instagram.com/p/sc1
https://www.instagram.com/p/sc2

*Jumlah Total Personil:* 5 pers
✅ *Melaksanakan Lengkap :* 2 pers
⚠️ *Melaksanakan Kurang :* 1 pers
❌ *Belum Melaksanakan :* 2 pers
⚠️❌ *Belum Update Username Instagram :* 0 pers

✅ *Melaksanakan Lengkap (2 pers):*
- User2
- User3

⚠️ *Melaksanakan Kurang (1 pers):*
- User4

❌ *Belum Melaksanakan (2 pers):*
- User1
- User5

⚠️❌ *Belum Update Username Instagram (0 pers):*
-"""

# absensiLikes('DITBINMAS')
LIKES_PER_SATKER = """\
Mohon ijin Komandan,

📋 Rekap Akumulasi Likes Instagram
*DIREKTORAT BINMAS
Selasa*, 10/2/2026
Jam: 15.20.04

*Jumlah Konten :* 3
*Daftar Link Konten :*
https://www.instagram.com/p/sc1
https://www.instagram.com/p/sc2
https://www.instagram.com/p/sc3

*Jumlah Total Personil :* 4 pers
✅ *Sudah melaksanakan :* 2 pers
- ✅ Melaksanakan lengkap : 1 pers
- ⚠️ Melaksanakan kurang lengkap : 1 pers
❌ *Belum melaksanakan :* 2 pers
⚠️❌ *Belum Update Username Instagram :* 1 pers

1. POLRES B
*Jumlah Personil :* 2 pers
*Sudah Melaksanakan :* 1 pers
- Melaksanakan lengkap : 1 pers
- Melaksanakan kurang lengkap : 0 pers
*Belum melaksanakan :* 1 pers
*Belum Update Username Instagram :* 0 pers

2. POLRES A
*Jumlah Personil :* 2 pers
*Sudah Melaksanakan :* 1 pers
- Melaksanakan lengkap : 0 pers
- Melaksanakan kurang lengkap : 1 pers
*Belum melaksanakan :* 1 pers
*Belum Update Username Instagram :* 1 pers"""

# absensiKomentarDitbinmasReport()
COMMENTS_FULL = """\
Mohon ijin Komandan,

📋 *Rekap Akumulasi Komentar TikTok*
*Polres*: *DIREKTORAT BINMAS*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 2
*Daftar Link Konten:*
https://www.tiktok.com/@ditbinmastiktok/video/vid1
https://www.tiktok.com/@ditbinmastiktok/video/vid2

*Jumlah Total Personil:* 5 pers
✅ *Sudah Melaksanakan* : *3 pers*
- ✅ *Melaksanakan Lengkap* : *3 pers*
- ⚠️ *Melaksanakan kurang lengkap* : *0 pers*
❌ *Belum melaksanakan* : *2 pers*
⚠️❌ *Belum Update Username TikTok* : *0 pers*

*1. DIV A*
*Jumlah Personil* : 2 pers
*Akumulasi Pelaksanaan* : 4/4
✅ Melaksanakan Lengkap (2 pers):
- User2, Pelaksanaan: 2/2
- User3, Pelaksanaan: 2/2

*2. DIV B*
*Jumlah Personil* : 2 pers
*Akumulasi Pelaksanaan* : 1/4
✅ Melaksanakan Lengkap (1 pers):
- User4, Pelaksanaan: 1/2
❌ Belum melaksanakan (1 pers):
- User5, Pelaksanaan: 0/2

*3. DITBINMAS*
*Jumlah Personil* : 1 pers
*Akumulasi Pelaksanaan* : 0/2
✅ Melaksanakan Lengkap (0 pers):
-
❌ Belum melaksanakan (1 pers):
- User1, Pelaksanaan: 0/2

Terimakasih."""

# absensiKomentarDitbinmasSimple()
COMMENTS_SIMPLE = """\
Mohon ijin Komandan,

📋 Rekap Komentar TikTok (Simple)
*DIREKTORAT BINMAS*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 2
*Daftar Link Konten:*
https://www.tiktok.com/@ditbinmastiktok/video/vid1
https://www.tiktok.com/@ditbinmastiktok/video/vid2

*Jumlah Total Personil:* 5 pers
✅ *Melaksanakan Lengkap :* 2 pers
⚠️ *Melaksanakan Kurang :* 1 pers
❌ *Belum :* 2 pers
⚠️❌ *Belum Input Username TikTok :* 0 pers

✅ *Melaksanakan Lengkap (2 pers):*
- User2
- User3

⚠️ *Melaksanakan Kurang (1 pers):*
- User4

❌ *Belum Melaksanakan (2 pers):*
- User1
- User5

⚠️❌ *Belum Input Username TikTok (0 pers):*
-"""

# absensiKomentar('ditbinmas', {roleFlag: 'ditbinmas'})
COMMENTS_PER_SATKER = """\
Mohon ijin Komandan,

📋 *Rekap Akumulasi Komentar TikTok*
*Direktorat*: *DIREKTORAT BINMAS*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 1
*Daftar Link Konten:*
https://www.tiktok.com/@ditbinmastiktok/video/v1

*Total Personel:* 2
✅ *Sudah Melaksanakan* : *1 user*
- ✅ Melaksanakan Lengkap : 1 user
- ⚠️ Melaksanakan Kurang Lengkap : 0 user
❌ *Belum Melaksanakan* : *1 user*
⚠️❌ *Belum Input Username Tiktok* : *0 user*

*1. POLRES A*
*Jumlah user:* 1
*Sudah Melaksanakan* : *1 user*
- Melaksanakan Lengkap : 1 user

*2. POLRES B*
*Jumlah user:* 1
*Sudah Melaksanakan* : *0 user*
- Melaksanakan Lengkap : 0 user
*Belum Melaksanakan* : *1 user*

Terimakasih."""

# absensiKomentar('polres_x')
COMMENTS_ANALYTICS = """\
Mohon ijin Komandan,

📊 *Rekap Analitik Komentar TikTok*
*POLRES X* | Selasa, 10/2/2026 | Jam 15.20.04 WIB

*Ringkasan Capaian*
• Konten dipantau : 2
• Target minimal per personel : 1 konten
• Personel mencapai target : 2/2 (100%)
• Interaksi aktual : 3/2 (150%)
• Partisipan unik : 2 akun

*Sorotan Konten*
• Performa tertinggi : Konten A – 2 akun (https://www.tiktok.com/@polresx/video/v1)
• Performa terendah : Konten B – 1 akun (https://www.tiktok.com/@polresx/video/v2)

*Kontributor Utama*
1. AKP Personel 1 – 2/2 konten
2. IPDA Personel 2 – 1/2 konten

*Catatan personel:* 3 tercatat (2 memiliki username, 1 belum). 0 belum mencapai target minimal.

*Daftar Link Konten:*
https://www.tiktok.com/@polresx/video/v1
https://www.tiktok.com/@polresx/video/v2

📎 ✅ *Lampiran – Personel mencapai target* (2 user)
*SAT INTEL* (2 user):
- AKP Personel 1 : user1 (2/2 konten)
- IPDA Personel 2 : user2 (1/2 konten)

📎 ❌ *Lampiran – Personel belum mencapai target* (1 user)
*SAT RESKRIM* (1 user):
- BRIPTU Personel 3 : belum mengisi data tiktok (0/2 konten)

Terimakasih."""

# absensiLink('POLRES')
AMPLIFICATION = """\
Selamat sore,

Mohon ijin melaporkan Pelaksanaan Tugas Amplifikasi *POLRES ABC* pada hari:

Hari: Selasa

Tanggal: 10/2/2026

Pukul: 15.05.00

Jumlah Konten Resmi Hari ini: 2

https://www.instagram.com/p/sc1

https://www.instagram.com/p/sc2

Jumlah Personil yang melaksanakan: 1
Jumlah Total Link dari 5 Platform Sosial Media: 5

✅ Sudah Melaksanakan (0 user)
Urut berdasarkan total link terbanyak

-

⚠️ Belum Lengkap (1 user)
SI KEU – AIPTU HARIS ANTON A. (Sudah: 1 Tugas / Belum: 1 Tugas / Total Link: 5 Link)

❌ Belum Melaksanakan (1 user)
SI KEU – BRIPTU BUDI (Sudah: 0 Tugas / Belum: 2 Tugas / Total Link: 0 Link)

Terima kasih."""

# generateKasatBinmasLikesRecap({period: 'daily'})
KASAT_LIKES = """\
📋 *Absensi Likes Kasat Binmas*
🗓️ Periode: Selasa, 21 Mei 2024
📈 Total konten periode ini: 3
👥 Total Kasat Binmas: 2 pers
📊 Distribusi Status:
  ✅ Lengkap: 1 pers
  ⚠️ Sebagian: 1 pers
  ❌ Belum: 0 pers
  ⚠️❌ Belum update username IG: 0 pers
✅ *Melaksanakan Lengkap (1 pers)*
  1. AKP Alpha (POLRES A) — 3/3 konten

⚠️ *Melaksanakan Sebagian (1 pers)*
  1. IPTU Beta (POLRES B) — 1/3 konten

❌ *Belum Melaksanakan (0 pers)*
  - Tidak ada data

⚠️❌ *Belum Update Username Instagram (0 pers)*
  - Tidak ada data"""

# generateKasatBinmasLikesRecap() with no content
KASAT_LIKES_NO_CONTENT = """\
📋 *Absensi Likes Kasat Binmas*
Periode: Rabu, 22 Mei 2024
Belum ada konten Instagram Ditbinmas pada periode ini untuk diabsen."""

# either Kasat Binmas report with no Kasat Binmas
KASAT_NONE = """\
Dari 1 user aktif DITBINMAS (ditbinmas), tidak ditemukan data Kasat Binmas."""

# generateKasatBinmasTiktokCommentRecap({period: 'daily'})
KASAT_COMMENTS = """\
📋 *Absensi Komentar TikTok Kasat Binmas*
🗓️ Periode: Selasa, 21 Mei 2024
*Ringkasan:*
- Total konten periode: 3 video
- Total Kasat Binmas: 2 pers
- Lengkap: 1/2 pers
- Sebagian: 0/2 pers
- Belum komentar: 0/2 pers
- Belum update akun TikTok: 1 pers

*Rincian per status:*
✅ *Lengkap (sesuai target) (1 pers)*
   1. AKP Alpha (POLRES A) — Lengkap (3/3 konten)

🟡 *Sebagian (belum semua konten) (0 pers)*

❌ *Belum komentar (0 pers)*

⚠️❌ *Belum update akun TikTok (1 pers)*
   1. IPTU Bravo (POLRES B) — Username TikTok belum tersedia"""

# (`\x20`: the spaces V2 left at the end of four lines)
# generateSosmedTaskMessage('DITBINMAS', …)
TASK = """\
Mohon Ijin Komandan, Senior, Rekan Operator dan Personil pelaksana Tugas Likes dan komentar Sosial Media DIT BINMAS.

Tugas Likes dan Komentar Konten Instagram dan Tiktok\x20
DIT BINMAS
Jumlah konten Instagram hari ini: 2\x20
Total likes semua konten: 3\x20

Rincian:
1. https://www.instagram.com/p/abc (upload 07:30 WIB) : 2 likes
2. [BARU] https://www.instagram.com/p/def (upload 09:05 WIB) : 1 like

Jumlah konten Tiktok hari ini: 1\x20
Total komentar semua konten: 1

Rincian:
1. [BARU] https://www.tiktok.com/@ditbinmas/video/123 (upload 08:00 WIB) : 1 komentar

Silahkan Melaksanakan Likes, Komentar dan Share."""

# absensiLikes('POLRES', {mode: 'all'})
LIKES_CLIENT = """\
Mohon ijin Komandan,

📋 *Rekap Akumulasi Likes Instagram*
*Polres*: *POLRES ABC*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 1
*Daftar Link Konten:*
https://www.instagram.com/p/sc1

*Jumlah user:* 1 user
✅ *Melaksanakan lengkap* : *1 user*
⚠️ *Melaksanakan kurang lengkap* : *0 user*
❌ *Belum melaksanakan* : *0 user*

✅ *Melaksanakan lengkap* (1 user)
⚠️ *Melaksanakan kurang lengkap* (0 user)
❌ *Belum melaksanakan* (0 user)

*BAG* (1 user):
✅ Lengkap (1 user):
- Aiptu Budi : @TestUser (1/1 konten)
⚠️ Kurang (0 user):
-
❌ Belum (0 user):
-

Terimakasih."""

# absensiKomentar('polres_x', {roleFlag: 'operator'})
COMMENTS_CLIENT = """\
Mohon ijin Komandan,

📋 *Rekap Akumulasi Komentar TikTok*
*POLRES X*
Selasa, 10/2/2026
Jam: 15.20.04

*Jumlah Konten:* 2
*Daftar Link Konten:*
https://www.tiktok.com/@polresx/video/v1
https://www.tiktok.com/@polresx/video/v2

*Jumlah user:* 3 user
✅ *Melaksanakan lengkap* : *1 user*
⚠️ *Melaksanakan kurang lengkap* : *1 user*
❌ *Belum melaksanakan* : *1 user*

✅ *Melaksanakan lengkap* (1 user)
⚠️ *Melaksanakan kurang lengkap* (1 user)
❌ *Belum melaksanakan* (1 user)

*SAT INTEL* (2 user):
✅ Lengkap (1 user):
- AKP Personel 1 : user1 (2/2 konten)
⚠️ Kurang (1 user):
- IPDA Personel 2 : user2 (1/2 konten)
❌ Belum (0 user):
-

*SAT RESKRIM* (1 user):
✅ Lengkap (0 user):
-
⚠️ Kurang (0 user):
-
❌ Belum (1 user):
- BRIPTU Personel 3 : belum mengisi data tiktok (0/2 konten)


Terimakasih."""
