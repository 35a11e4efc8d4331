"""argon2id hashing in a bounded pool (api.md §1): at most 4 hashes at once, so a roll-call
burst of logins queues instead of taking 19 MiB per request. argon2-cffi releases the GIL
inside the hash, so the 4 threads run on every core while the event loop keeps serving.

Imported bcrypt hashes verify here too; the caller rehashes them (domain.auth.passwords).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import bcrypt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cicero.domain.auth.passwords import ARGON2, WORKERS, Argon2Params, Scheme, scheme


def hasher(params: Argon2Params = ARGON2) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=params.hash_len,
        salt_len=params.salt_len,
        type=Type.ID,
    )


def verify_sync(stored: str, password: str, ph: PasswordHasher) -> bool:
    try:
        match scheme(stored):
            case Scheme.ARGON2ID:
                return ph.verify(stored, password)
            case Scheme.BCRYPT:
                # bcrypt reads 72 bytes at most; longer passwords are refused by the library.
                secret = password.encode("utf-8")[:72]
                return bcrypt.checkpw(secret, stored.encode("ascii"))
    except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError):
        return False
    return False


class PasswordWorkers:
    def __init__(self, workers: int = WORKERS, params: Argon2Params = ARGON2) -> None:
        self.ph = hasher(params)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        # Verified against when the NRP is unknown or has no password: the same cost and so
        # the same time as a wrong password (W8).
        self.decoy = self.ph.hash("cicero-decoy-password")

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self.pool, self.ph.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """True only for a right password; a missing hash costs the same as a wrong one."""
        target = stored if stored is not None else self.decoy
        ok = await asyncio.get_running_loop().run_in_executor(
            self.pool, verify_sync, target, password, self.ph
        )
        return ok and stored is not None

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
