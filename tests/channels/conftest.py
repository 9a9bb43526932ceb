from tests.fakes.bot_api import bot_api

__all__ = ["bot_api"]
