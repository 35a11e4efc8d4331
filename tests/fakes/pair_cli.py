"""`cicero pair` with neonize over the stand-in Go library, for tests: the same arguments
as `cicero`; the stand-in is configured and driven as for a session actor
(`<CICERO_DATA_DIR>/fake-go/`, see neonize_remote.loader)."""

import os
import sys
from pathlib import Path

import cicero.whatsapp.neonize_transport as transport
from cicero.cli.main import main
from tests.fakes import neonize_remote

session = sys.argv[2] if len(sys.argv) > 2 else "gateway"
transport.load_neonize = neonize_remote.loader(session, Path(os.environ["CICERO_DATA_DIR"]))
sys.exit(main(sys.argv[1:]))
