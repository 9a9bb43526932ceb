from tests.fakes.bot_api import bot_api
from tests.fakes.zalo_bot_api import zalo_api
from tests.fakes.zns_api import zns_api

__all__ = ["bot_api", "zalo_api", "zns_api"]
