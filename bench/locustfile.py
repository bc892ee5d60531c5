"""Locust: members of staff at work, for ``bench/load.py``.

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 120s --host http://127.0.0.1:PORT

``bench/load.py`` starts it with, in the environment, ``LOAD_ACCOUNTS`` (a
JSON file: the staff accounts with their role and the API list endpoints
their role may read) and ``LOAD_PASSWORD`` (the accounts' one password).

Each simulated user is one member of staff. Roles are weighted like a real
office: mostly street staff (30 %) and care managers (25 %), then district
staff (12 %), provider staff (12 %), finance officers (8 %), assessors
(5 %), city staff (6 %) and administrators (2 %); the accounts of a role are
taken in turn. A user signs in through the login form (a GET for the form
and its CSRF token, a POST with the token), then works: it opens its home
page, the pages its menu shows it (lists, dashboards and the GET of its
forms), pages through lists, filters them (a choice of the list's filter
form, or a name search), opens the detail page of rows it sees on a list,
and reads the API list endpoints of its role (page 1 or 2, sometimes one
row). Think time: 3-10 s between requests, what a clerk spends reading a
page before the next click (with 50 users, about 8 requests a second).

A session that has ended (idle expiry, or a redirect to the login page) is
signed in again, not counted as an error; a page answering 4xx/5xx or a
login that does not land on the home page is a failure. No security
setting is changed for the load: CSRF, the lockout and the session rules
are those of production (signing in with the right password never counts
towards the lockout).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task

ROLE_WEIGHTS = {
    "street_staff": 30, "care_manager": 25, "district_staff": 12, "provider_staff": 12,
    "finance_officer": 8, "assessor": 5, "city_staff": 6, "administrator": 2,
}
LOGIN = "/accounts/login/"
# menu pages not worth a click in a load: signing out ends the walk
SKIP = ("/accounts/logout/", "/admin/")
DETAIL = re.compile(r"^/[a-z-]+(?:/[a-z-]+)?/\d+/$")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"


def _accounts() -> dict[str, list[dict]]:
    with open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8") as source:
        accounts = json.load(source)
    by_role: dict[str, list[dict]] = {}
    for account in accounts:
        by_role.setdefault(account["role"], []).append(account)
    return by_role


ACCOUNTS = _accounts() if os.environ.get("LOAD_ACCOUNTS") else {}
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
_TURN = {role: itertools.cycle(accounts) for role, accounts in ACCOUNTS.items()}
_ROLES = [role for role in ROLE_WEIGHTS if role in ACCOUNTS]
_PICK = random.Random(2026)
# every request as a line "started<TAB>name<TAB>ms<TAB>failed" (for exact percentiles)
_RECORD = open(os.environ["LOAD_RECORD"], "a", encoding="utf-8") \
    if os.environ.get("LOAD_RECORD") else None  # noqa: SIM115 (open while locust runs)


@events.request.add_listener
def _record(request_type, name, response_time, start_time=None, exception=None, **_kwargs):
    if _RECORD is not None:
        _RECORD.write(f"{start_time or 0:.3f}\t{request_type} {name}\t{response_time:.1f}"
                      f"\t{int(exception is not None)}\n")


@events.quitting.add_listener
def _close(**_kwargs):
    if _RECORD is not None:
        _RECORD.flush()


class _Page(HTMLParser):
    """The links of a page, the CSRF token and the choices of its GET forms."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.csrf = ""
        self.choices: list[tuple[str, str]] = []
        self.searches: list[str] = []
        self.private_searches: list[str] = []  # posted (apps.core.private_search)
        self._form_get = False
        self._form_post = False
        self._select = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form_get = (attrs.get("method") or "get").lower() == "get"
            self._form_post = not self._form_get
        elif self._form_post and tag == "input" and attrs.get("name") == "private_search":
            self.private_searches.append("q")
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value", "")
        elif self._form_get and tag == "select":
            self._select = attrs.get("name", "")
        elif self._form_get and tag == "option" and self._select and attrs.get("value"):
            self.choices.append((self._select, attrs["value"]))
        elif (self._form_get and tag == "input" and attrs.get("name") in ("q", "name")
              and attrs.get("type", "text") in ("text", "search")):
            self.searches.append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form_get = self._form_post = False
        elif tag == "select":
            self._select = ""


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _name(path: str) -> str:
    """The statistics name of a path: ids as [id]."""
    return re.sub(r"/\d+/", "/[id]/", path)


class Staff(HttpUser):
    wait_time = between(3, 10)

    def on_start(self):
        if not _ROLES:
            raise RuntimeError("LOAD_ACCOUNTS names no accounts")
        self.role = _PICK.choices(_ROLES, weights=[ROLE_WEIGHTS[r] for r in _ROLES])[0]
        self.account = next(_TURN[self.role])
        self.menu: list[str] = []
        self.lists: dict[str, _Page] = {}  # list path -> its parsed first page
        self.details: list[str] = []
        self.api_rows: dict[str, list[int]] = {}
        self.login()

    # --- signing in ----------------------------------------------------------

    def login(self) -> None:
        with self.client.get(LOGIN, name="login form", catch_response=True) as form:
            token = parse(form.text).csrf if form.ok else ""
            if not token:
                form.failure(f"no login form ({form.status_code})")
                return
        data = {"username": self.account["username"], "password": PASSWORD,
                "csrfmiddlewaretoken": token, "next": "/"}
        with self.client.post(LOGIN, data=data, name="login", catch_response=True,
                              headers={"Referer": self.host + LOGIN}) as answer:
            if not answer.ok or urlsplit(answer.url).path != "/":
                answer.failure(f"sign-in as {self.account['username']} did not reach home "
                               f"({answer.status_code}, {answer.url})")
                return
            self._read_home(answer.text)

    def _read_home(self, html: str) -> None:
        links = []
        for link in parse(html).links:
            path = urlsplit(link).path
            if (path.startswith("/") and path not in links and path != "/"
                    and not path.startswith(SKIP) and not DETAIL.match(path)
                    and not path.startswith(("/static/", "/i18n/"))):
                links.append(path)
        self.menu = links

    def get(self, path: str, name: str, _again: bool = True, **params):
        """GET as this member of staff; a session that has ended is signed in
        again and the page asked for once more (once)."""
        url = path + ("?" + urlencode(params) if params else "")
        with self.client.get(url, name=name, catch_response=True) as page:
            if page.ok and urlsplit(page.url).path == LOGIN:
                page.success()
                expired = True
            else:
                expired = False
                if not page.ok:
                    page.failure(f"{page.status_code} on {url}")
        if expired and _again:
            self.login()
            return self.get(path, name, False, **params)
        return page

    # --- the day's work -----------------------------------------------------

    @task(2)
    def home(self):
        page = self.get("/", "/")
        if page.ok:
            self._read_home(page.text)

    @task(6)
    def open_a_list(self):
        if not self.menu:
            return
        path = random.choice(self.menu)
        page = self.get(path, path)
        if not page.ok:
            return
        parsed = parse(page.text)
        self.lists[path] = parsed
        rows = [urlsplit(link).path for link in parsed.links]
        rows = [row for row in rows if DETAIL.match(row)]
        if rows:
            self.details = (random.sample(rows, min(5, len(rows))) + self.details)[:40]

    @task(2)
    def next_page(self):
        pages = [(path, parsed) for path, parsed in self.lists.items()
                 if any(link.startswith("?") and "page=" in link for link in parsed.links)]
        if not pages:
            return
        path, parsed = random.choice(pages)
        numbers = sorted({int(n) for link in parsed.links
                          for n in re.findall(r"[?&]page=(\d+)", link)})
        self.get(path, path + "?page=", page=random.choice(numbers))

    @task(2)
    def filter_a_list(self):
        pages = [(path, parsed) for path, parsed in self.lists.items()
                 if parsed.choices or parsed.searches or parsed.private_searches]
        if not pages:
            return
        path, parsed = random.choice(pages)
        if parsed.private_searches and (not parsed.choices or random.random() < 0.5):
            # a name search is posted, kept in the session, and the list shown
            # again by GET (the redirect, followed)
            data = {"private_search": "1", "q": random.choice(SURNAMES),
                    "csrfmiddlewaretoken": parsed.csrf}
            with self.client.post(path, data=data, name=f"{path} (name search)",
                                  catch_response=True,
                                  headers={"Referer": self.host + path}) as found:
                if not found.ok:
                    found.failure(f"{found.status_code} on the name search of {path}")
        elif parsed.searches and (not parsed.choices or random.random() < 0.4):
            field = random.choice(parsed.searches)
            self.get(path, f"{path}?{field}=", **{field: random.choice(SURNAMES)})
        else:
            field, value = random.choice(parsed.choices)
            self.get(path, f"{path}?{field}=", **{field: value})

    @task(4)
    def open_a_row(self):
        if self.details:
            path = random.choice(self.details)
            self.get(path, _name(path))

    @task(3)
    def read_the_api(self):
        endpoints = self.account.get("api") or []
        if not endpoints:
            return
        path = random.choice(endpoints)
        rows, has_next = self.api_rows.get(path, ([], False))
        if rows and random.random() < 0.3:
            self.get(f"{path}{random.choice(rows)}/", path + "[id]/")
            return
        if has_next and random.random() < 0.3:
            self.get(path, path + "?page=2", page=2)
            return
        page = self.get(path, path)
        if page.ok:
            body = page.json()
            results = body.get("results", []) if isinstance(body, dict) else body
            rows = [r["id"] for r in results if isinstance(r, dict)
                    and isinstance(r.get("id"), int)][:50]
            self.api_rows[path] = (rows, isinstance(body, dict) and bool(body.get("next")))
