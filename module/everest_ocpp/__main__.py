import gc

# Start-up creates almost only objects that live as long as the process; collecting them again and
# again while hundreds of modules are imported costs a tenth of the start-up. The application
# switches the collector on again once OCPP has started (app.release_startup_memory); cli.main
# does for every other command and on every way out.
gc.disable()

import sys  # noqa: E402

from .cli import main  # noqa: E402

sys.exit(main())
