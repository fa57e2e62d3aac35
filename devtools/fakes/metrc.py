"""A fake Metrc API on 127.0.0.1 that answers in the documented shapes.

Tags come as bare JSON arrays with PascalCase fields (or in the v2 paged wrapper when
``page_size`` is set); write calls (POST, and PUT for plant tags) take JSON arrays and are
all-or-nothing, refusing a row
whose tag is not available with ``[{"row": i, "message": ...}]``; wrong keys get 401, a
license the user lacks 403; ``throttle`` answers 429 with Retry-After, ``fail`` answers 503,
and ``drop_post`` applies a POST (Retail ID's too) and then cuts the connection before
answering. ``delay`` makes every answer take that long (as a real Metrc does); ``gather``
holds each request until that many are in flight at once (or ``gather_timeout`` passes),
and ``most_in_flight`` says how many ever were. Retail ID is in ``fake_retail``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from devtools.fakes.retail import FakeRetail

TAG_PREFIX_DIGITS = 8


class FakeMetrc:
    def __init__(self, vendor_key: str, user_key: str, licenses: tuple[str, ...]) -> None:
        self.vendor_key, self.user_key = vendor_key, user_key
        self.licenses = set(licenses)
        self.available: dict[tuple[str, str], list[str]] = {}
        self.packages: dict[str, dict[str, Any]] = {}
        self.plants: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.applied_posts: list[tuple[str, list[dict[str, Any]]]] = []
        self.retail = FakeRetail()
        self.page_size: int | None = None
        self.throttle = 0  # answer this many requests with 429
        self.retry_after = "1"
        self.fail = 0  # answer this many requests with 503
        self.drop_post: int | None = None  # apply the Nth POST (1-based), then hang up
        self.no_plant_tags: set[str] = set()  # licenses that get 403 for plant tags
        self.echo = False  # refuse every call, echoing the Authorization header and an ESC
        self.claimed_pages: int | None = None  # a paged answer's TotalPages, whatever it holds
        self.garbage = False  # answer 200 with a body that is not JSON
        self.delay = 0.0
        self.gather = 0
        self.gather_timeout = 30.0
        self.most_in_flight = 0
        self._in_flight = 0
        self._crowd = threading.Condition()
        self._posts = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # Polled every 20 ms, so a test ends as soon as it is done (the default, 0.5 s, held
        # every test that used it half a second at its end).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def arrive(self) -> None:
        """A request came in: count it, and hold it while fewer than ``gather`` are here."""
        with self._crowd:
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
            self._crowd.notify_all()
            self._crowd.wait_for(lambda: self._in_flight >= self.gather, self.gather_timeout)
            # The gate opens once, gathered or not: a client sending one at a time waits
            # out the timeout only once and then shows as never more than one in flight.
            self.gather = 0
            self._crowd.notify_all()
        if self.delay:
            time.sleep(self.delay)

    def leave(self) -> None:
        with self._crowd:
            self._in_flight -= 1

    def posts(self, path: str) -> list[list[dict[str, Any]]]:
        return [body for at, body in self.applied_posts if at == path]

    # --- the API ------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, query: dict[str, list[str]], auth: str, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.requests.append((method, path, query))
            if self.throttle:
                self.throttle -= 1
                return 429, {"Message": "Too many requests"}, {"Retry-After": self.retry_after}
            if self.fail:
                self.fail -= 1
                return 503, {"Message": "Service unavailable"}, {}
            expected = base64.b64encode(f"{self.vendor_key}:{self.user_key}".encode()).decode()
            if auth != f"Basic {expected}":
                return 401, {"Message": "Authorization has been denied for this request."}, {}
            if self.echo:
                keys = f"{self.vendor_key}:{self.user_key}"
                said = f"Denied: {auth} ({keys}, {self.user_key})\x1b]0;owned\x07\x1b[2J\u2028end"
                return 400, [{"row": 0, "message": said}], {}
            license_number = (query.get("licenseNumber") or [""])[0]
            if license_number not in self.licenses:
                return 403, {"Message": "No valid facility license."}, {}
            if path.startswith("/retailid/"):
                return self._retail_id(method, path, body, license_number)
            if method == "GET":
                return self._get(path, query, license_number)
            if not isinstance(body, list):
                return 400, [{"row": 0, "message": "The request body must be an array."}], {}
            if method == "PUT":
                return self._put(path, body, license_number)
            return self._post(path, body, license_number)

    def add_package(self, label: str, license_number: str, item: str = "Gummies 10pk") -> None:
        """A package Metrc holds for ``license_number`` (as a push would have created)."""
        self.packages[label] = {
            "Id": 5000 + len(self.packages),
            "Label": label,
            "Item": {"Name": item},
            "Quantity": 1,
            "LicenseNumber": license_number,
        }

    def _retail_id(
        self, method: str, path: str, body: Any, license_number: str
    ) -> tuple[int, Any, dict[str, str]]:
        status, answer, headers = self.retail.answer(
            method, path, body, license_number, self.packages
        )
        if method == "POST" and status == 200:
            self.applied_posts.append((path, body))
            self._posts += 1
            if self.drop_post == self._posts:
                return -1, None, {}  # applied; the answer never arrives
        return status, answer, headers

    def _get(
        self, path: str, query: dict[str, list[str]], license_number: str
    ) -> tuple[int, Any, dict[str, str]]:
        for kind in ("package", "plant"):
            if path == f"/tags/v2/{kind}/available":
                if kind == "plant" and license_number in self.no_plant_tags:
                    return 403, {"Message": "Not a cultivation facility."}, {}
                rows = [
                    {
                        "Id": 1000 + n,
                        "GroupTagTypeName": None,
                        "TagTypeName": None,
                        "GroupTagTypeId": None,
                        "TagTypeId": None,
                        "TagInventoryTypeName": "CannabisPackage" if kind == "package" else "Plant",
                        "MaxGroupSize": 0,
                        "FacilityId": 7,
                        "Label": label,
                    }
                    for n, label in enumerate(self.available.get((license_number, kind), []))
                ]
                return 200, self._paged(rows, query), {}
        for prefix, found in (("/packages/v2/", self.packages), ("/plants/v2/", self.plants)):
            if path.startswith(prefix) and path != prefix:
                label = path.removeprefix(prefix)
                if label in found:
                    return 200, found[label], {}
                return 404, {"Message": "Not found"}, {}
        return 404, {"Message": f"No such endpoint {path}"}, {}

    def _paged(self, rows: list[dict[str, Any]], query: dict[str, list[str]]) -> Any:
        if self.page_size is None:
            return rows
        page = int((query.get("pageNumber") or ["1"])[0])
        size = self.page_size
        total_pages = max(1, -(-len(rows) // size))
        data = rows[(page - 1) * size : page * size]
        return {
            "Data": data,
            "Total": len(rows),
            "TotalRecords": len(rows),
            "PageSize": size,
            "RecordsOnPage": len(data),
            "Page": page,
            "CurrentPage": page,
            "TotalPages": total_pages if self.claimed_pages is None else self.claimed_pages,
        }

    def _put(self, path: str, body: Any, license_number: str) -> tuple[int, Any, dict[str, str]]:
        """``PUT /plants/v2/tag``: a plant's tag replaced by an available plant tag."""
        if path != "/plants/v2/tag":
            return 404, {"Message": f"No such endpoint {path}"}, {}
        plants = self.available.setdefault((license_number, "plant"), [])
        errors = [
            {
                "row": row,
                "message": f"Plant {obj.get('Label')} cannot take tag {obj.get('NewTag')}.",
            }
            for row, obj in enumerate(body)
            if obj.get("Label") not in self.plants or obj.get("NewTag") not in plants
        ]
        if errors:
            return 400, errors, {}
        for obj in body:
            plant = self.plants.pop(obj["Label"])
            plants.remove(obj["NewTag"])
            self.plants[obj["NewTag"]] = {**plant, "Label": obj["NewTag"]}
        self.applied_posts.append((path, body))
        return 200, None, {}

    def _post(self, path: str, body: Any, license_number: str) -> tuple[int, Any, dict[str, str]]:
        packages = self.available.setdefault((license_number, "package"), [])
        plants = self.available.setdefault((license_number, "plant"), [])
        errors = []
        taken: list[tuple[list[str], str]] = []
        for row, obj in enumerate(body):
            if path in ("/packages/v2/", "/plantbatches/v2/packages"):
                tags, pool = [obj.get("Tag")], packages
            elif path == "/plantbatches/v2/growthphase":
                tags, pool = _run(obj.get("StartingTag", ""), int(obj.get("Count", 0))), plants
            else:
                return 404, {"Message": f"No such endpoint {path}"}, {}
            for tag in tags:
                if tag not in pool or any(tag in used for used, _ in taken):
                    errors.append({"row": row, "message": f"Tag {tag} is already in use."})
                    break
            else:
                taken.append((tags, path))
        if errors:
            return 400, errors, {}
        ids: list[int] = []
        for obj in body:
            if path == "/plantbatches/v2/growthphase":
                for tag in _run(obj["StartingTag"], int(obj["Count"])):
                    plants.remove(tag)
                    self.plants[tag] = {"Label": tag, "PlantBatchName": obj["Name"]}
            else:
                packages.remove(obj["Tag"])
                quantity = obj.get("Quantity", obj.get("Count"))
                self.packages[obj["Tag"]] = {
                    "Id": 5000 + len(self.packages),
                    "Label": obj["Tag"],
                    "Item": {"Name": obj["Item"]},
                    "Quantity": quantity,
                    "PlantBatchName": obj.get("PlantBatch"),
                    "LicenseNumber": license_number,
                }
            ids.append(9000 + len(ids))
        self.applied_posts.append((path, body))
        self._posts += 1
        if self.drop_post == self._posts:
            return -1, None, {}  # applied; the answer never arrives
        return 200, {"Ids": ids, "Warnings": None}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                fake.arrive()
                try:
                    status, answer, headers = fake.answer(
                        method,
                        parts.path,
                        parse_qs(parts.query),
                        self.headers.get("Authorization", ""),
                        body,
                    )
                finally:
                    fake.leave()
                if status == -1:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                data = json.dumps(answer).encode() if answer is not None else b""
                if fake.garbage:
                    data = b"<html>Service temporarily unavailable</html>"
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:
                self._serve("PUT")

        return Handler


def _run(first: str, count: int) -> list[str]:
    head, serial = first[:-TAG_PREFIX_DIGITS], int(first[-TAG_PREFIX_DIGITS:])
    return [f"{head}{serial + n:0{TAG_PREFIX_DIGITS}d}" for n in range(count)]
