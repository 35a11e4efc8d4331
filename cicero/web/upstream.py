"""A8's one upstream call: an Instagram profile, through the same client, endpoints and
keys as ingestion (the fake upstream on loopback when no RAPIDAPI_KEY is set). The aiohttp
session is made on first use, inside the server's event loop."""

from __future__ import annotations

import aiohttp

from cicero.config import Settings
from cicero.domain.ingestion.payloads import InstagramProfile
from cicero.domain.people.usernames import Platform
from cicero.domain.runtime.tally import Tally
from cicero.upstream.client import InstagramClient
from cicero.upstream.transport import Timeouts
from cicero.web.measured import Measured


class ProfileFetcher:
    def __init__(self, settings: Settings, measured: Measured | None = None) -> None:
        self.settings = settings
        self.measured = measured  # the request's time and result, for /metrics
        self.session: aiohttp.ClientSession | None = None

    async def __call__(self, handle: str) -> InstagramProfile:
        from cicero.upstream.endpoints import endpoints  # the keys and URLs ingestion uses

        if self.session is None:
            self.session = aiohttp.ClientSession()
        up = self.settings.config.upstream
        timeouts = Timeouts(connect=up.connect_timeout_s, total=min(up.total_timeout_s, 15.0))
        tally = Tally()
        client = InstagramClient(
            self.session, *endpoints(self.settings, Platform.INSTAGRAM), timeouts=timeouts,
            tally=tally,
        )  # fmt: skip
        try:
            return await client.profile(handle)
        finally:
            if self.measured is not None:
                self.measured.add(tally)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
