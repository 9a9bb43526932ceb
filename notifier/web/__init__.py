"""The web board and the answer links, on one aiohttp application (`notifier run` serves it).

``server`` builds the application (routes, middlewares, static files) and serves it;
``sessions`` is the signed session cookie, ``security`` the headers and the CSRF check,
``guard`` the per-route access check (deciding through :mod:`notifier.accounts.access`),
``auth`` the login and logout pages, ``board``, ``task`` and ``log`` the pages.
Pages are Jinja2 templates under ``templates/``; ``static/`` holds one CSS file and
htmx, vendored (no CDN: offices often sit on an intranet).
"""
