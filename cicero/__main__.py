import sys

from cicero.cli.main import main

sys.exit(main())
