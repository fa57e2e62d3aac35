"""A small Metrc API client on httpx: Basic auth, ``licenseNumber`` on every call, retries
with backoff on 429 and 5xx, v2 pagination, and one-line errors that never carry the keys."""

from __future__ import annotations

import base64
import functools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from station.domain.errors import StationError
from station.domain.text import printable
from station.metrc.keys import Keys

if TYPE_CHECKING:
    import ssl

    import httpx
    import tenacity

T = TypeVar("T")
R = TypeVar("R")

ATTEMPTS = 5
BACKOFF_S = 0.5  # doubled after each failed try
MAX_WAIT_S = 60.0  # the longest Retry-After honoured
# The longest one call may take, its tries and waits included, before the station gives up.
MAX_CALL_S = 300.0
# [V] Paged v2 calls take at most 20 rows per page.
PAGE_SIZE = 20
# [V] Metrc's published limits per facility: at most 10 requests at once, at most 50 GETs a
# second (more are answered 429). Look-ups and pages go out this many at a time.
CONCURRENT = 10
GETS_PER_SECOND = 50.0
# The most pages of one list the station follows: a server claiming millions of pages must
# not keep a command busy for ever (5,000 pages of 20 are 100,000 tags).
MAX_PAGES = 5000
# The most one answer may hold once decompressed (a page of 20 rows is a few kilobytes): it
# is read in pieces and refused past this, so a hostile or broken server (a small gzip body
# that expands to gigabytes) cannot fill the memory.
MAX_ANSWER_BYTES = 16 * 1024 * 1024


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's own certificate checks (certifi's roots, or SSL_CERT_FILE), built once a
    process rather than once a client: loading the roots takes 30 ms, and a command or the UI
    opens a client per facility."""
    import httpx

    return httpx.create_ssl_context()


class MetrcError(StationError):
    """Metrc refused or could not be reached."""


class MetrcAuthError(MetrcError):
    """401/403: nothing was done, and trying again will not help."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class MetrcUnsure(MetrcError):
    """A write may or may not have reached Metrc (the answer was lost)."""


@dataclass
class Rejection:
    row: int | None
    message: str


class MetrcValidation(MetrcError):
    """400: Metrc's validation messages, per row of the call where it says which."""

    def __init__(self, rejections: list[Rejection]) -> None:
        self.rejections = rejections
        shown = "; ".join(
            (f"row {r.row + 1}: " if r.row is not None else "") + r.message for r in rejections[:3]
        )
        more = f" (and {len(rejections) - 3} more)" if len(rejections) > 3 else ""
        super().__init__(f"Metrc refused: {shown}{more}")


class MetrcClient:
    def __init__(
        self,
        url: str,
        keys: Keys,
        license_number: str,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.license_number = license_number
        self._sleep = sleep
        # Told before every wait between tries, so a slow or busy Metrc never leaves the
        # operator looking at a silent command.
        self._on_wait = on_wait or (lambda text: None)
        self._secrets = _forms_of(keys)
        self._at_once = threading.BoundedSemaphore(CONCURRENT)
        self._gets = _Pace(GETS_PER_SECOND)
        # A 429's Retry-After holds every request of this client, not just the one told.
        self._held_until = 0.0
        self._hold = threading.Lock()
        # httpx loads here, not with the module: every command and the UI import this one
        # for its names, and most never talk to Metrc.
        import httpx

        self._http = httpx.Client(
            base_url=url,
            verify=_tls(),
            auth=httpx.BasicAuth(keys.vendor, keys.user),
            timeout=timeout,
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MetrcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- calls --------------------------------------------------------------------------

    def get_list(self, path: str) -> list[dict[str, Any]]:
        """Every row of a list call: a bare array, or a v2 paged wrapper followed page by
        page."""
        first = _decoded(self._request("GET", path))
        if isinstance(first, list):
            return first
        rows = list(_page_rows(first))
        pages = first.get("TotalPages") or 1
        if not isinstance(pages, int) or not 1 <= pages <= MAX_PAGES:
            raise MetrcError(
                f"Metrc's answer to GET {path} claims {printable(str(pages), 20)} pages; the "
                f"station reads 1 to {MAX_PAGES:,}"
            )
        size = first.get("PageSize") or PAGE_SIZE

        def page(number: int) -> list[dict[str, Any]]:
            query = {"pageNumber": number, "pageSize": size}
            return _page_rows(_decoded(self._request("GET", path, query)))

        for more in self._all_at_once(page, range(2, pages + 1)):
            rows.extend(more)
        return rows

    def get_one(self, path: str) -> dict[str, Any] | None:
        """One object, or None when Metrc has none (404)."""
        response = self._request("GET", path, allow_404=True)
        if response.status_code == 404:
            return None
        found = _decoded(response)
        if not isinstance(found, dict):
            raise MetrcError(f"Metrc's answer to GET {path} is not one object")
        return found

    def get_many(self, paths: Sequence[str]) -> list[dict[str, Any] | None]:
        """:meth:`get_one` for each path, several at a time within Metrc's limits; the
        answers in the order of ``paths``."""
        return self._all_at_once(self.get_one, paths)

    def _all_at_once(self, call: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``call`` on every item, up to :data:`CONCURRENT` at once; the first failure is
        raised (the calls not yet started are dropped) as a sequential loop would."""
        if len(items) <= 1:
            return [call(item) for item in items]
        pool = ThreadPoolExecutor(min(CONCURRENT, len(items)))
        try:
            futures = [pool.submit(call, item) for item in items]
            return [future.result() for future in futures]
        finally:
            # After a failure (or Ctrl+C) nothing more starts, and nothing waits for the
            # calls under way: each ends by its own timeout.
            pool.shutdown(wait=False, cancel_futures=True)

    def send(self, method: str, path: str, objects: Sequence[dict[str, Any]]) -> Any:
        """POST or PUT a JSON array (Metrc's write calls all take arrays); the decoded
        answer."""
        response = self._request(method, path, body=list(objects))
        return _decoded(response) if response.content else None

    def post(self, path: str, body: Any) -> Any:
        """POST one JSON body of any shape (the Retail ID calls take objects); the decoded
        answer, or None when it is empty."""
        response = self._request("POST", path, body=body)
        return _decoded(response) if response.content else None

    def get(self, path: str) -> Any:
        """The decoded answer to a GET, or None when Metrc has none (404)."""
        response = self._request("GET", path, allow_404=True)
        return None if response.status_code == 404 else _decoded(response)

    # --- one request with retries ---------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        allow_404: bool = False,
    ) -> httpx.Response:
        """One call, tried again (tenacity) only where trying again cannot apply it twice:
        a connection never made, a 429, and for a GET a lost answer or a 5xx. A write whose
        answer is lost, or that got a 5xx, is never sent again: it raises
        :class:`MetrcUnsure` for the caller to settle from what Metrc holds."""
        import tenacity

        query = {"licenseNumber": self.license_number, **(params or {})}
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Again),
            stop=tenacity.stop_after_attempt(ATTEMPTS) | tenacity.stop_before_delay(MAX_CALL_S),
            wait=_pause,
            sleep=self._sleep,
            before_sleep=lambda state: self._before_sleep(state, method, path),
            reraise=True,
        )
        try:
            return retrying(self._try, method, path, query, body, allow_404)
        except _Again as last:
            tries = retrying.statistics.get("attempt_number", 1)
            raise MetrcError(f"{last} (gave up after {tries} tries)") from None

    def _try(
        self, method: str, path: str, query: dict[str, Any], body: Any, allow_404: bool
    ) -> httpx.Response:
        """One try: the answer, or :class:`_Again` when it may be tried again."""
        import httpx

        self._wait_for_hold()
        try:
            with self._at_once:
                if method == "GET":
                    self._gets.take()
                response = self._bounded(method, path, query, body)
        except httpx.ConnectError as exc:
            raise _Again(f"cannot connect to {self.url}: {exc}") from None
        except httpx.TransportError as exc:
            if method != "GET":
                # The request went out; whether Metrc acted on it is unknown.
                raise MetrcUnsure(
                    f"no answer from Metrc to {method} {path} ({type(exc).__name__}); "
                    "it may or may not have been applied"
                ) from None
            raise _Again(f"no answer from {self.url} ({type(exc).__name__})") from None
        status = response.status_code
        if status < 400 or (status == 404 and allow_404):
            return response
        if status >= 500 and method != "GET":
            # The request reached Metrc, or a gateway in front of it: whether it was
            # applied is unknown, so it is never sent again (a generate sent twice spends
            # the allotment twice); the caller settles it.
            raise MetrcUnsure(
                f"Metrc answered {status} {self._said(response.reason_phrase)} to "
                f"{method} {path}; it may or may not have been applied"
            )
        if status == 429 or status >= 500:
            raise _Again(
                f"Metrc answered {status} {self._said(response.reason_phrase)}",
                status,
                _retry_after(response),
            )
        raise self._refusal(response, method, path)

    def _before_sleep(self, state: tenacity.RetryCallState, method: str, path: str) -> None:
        """Say why and for how long the call waits; a 429 holds every request of this
        client for that long, not just the one told."""
        said = state.outcome.exception() if state.outcome else None
        wait = state.upcoming_sleep
        if isinstance(said, _Again) and said.status == 429:
            self._hold_all(wait)
        self._on_wait(
            f"{said}; trying {method} {path} again in {wait:g} s "
            f"(try {state.attempt_number + 1} of {ATTEMPTS})"
        )

    def _bounded(self, method: str, path: str, query: dict[str, Any], body: Any) -> httpx.Response:
        """The answer, read in pieces (decompressed as they come) up to
        :data:`MAX_ANSWER_BYTES`; refused past it, with the connection closed."""
        import httpx

        with self._http.stream(method, path, params=query, json=body) as streamed:
            read = bytearray()
            for piece in streamed.iter_bytes():
                read += piece
                if len(read) > MAX_ANSWER_BYTES:
                    raise MetrcError(
                        f"Metrc's answer to {method} {path} is larger than "
                        f"{MAX_ANSWER_BYTES // 2**20} MiB, the most the station reads; "
                        "nothing was taken from it"
                    )
        # What was read is already decompressed: the new answer must not be decoded again.
        headers = [
            (name, value)
            for name, value in streamed.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            streamed.status_code,
            headers=headers,
            content=bytes(read),
            request=streamed.request,
            extensions=streamed.extensions,
        )

    def _hold_all(self, seconds: float) -> None:
        with self._hold:
            self._held_until = max(self._held_until, time.monotonic() + seconds)

    def _wait_for_hold(self) -> None:
        """Wait out a Retry-After another request of this client was given."""
        with self._hold:
            left = self._held_until - time.monotonic()
        if left > 0:
            self._sleep(left)

    def _refusal(self, response: httpx.Response, method: str, path: str) -> MetrcError:
        status = response.status_code
        if status == 401:
            return MetrcAuthError(
                401, "Metrc refused the API keys (401): check the vendor key and the user key"
            )
        if status == 403:
            return MetrcAuthError(
                403,
                f"Metrc denied {method} {path} for license {self.license_number} (403): the "
                "user key's user lacks the permission at this facility",
            )
        if status == 400:
            return MetrcValidation(
                [Rejection(r.row, self._said(r.message)) for r in _rejections(response)]
            )
        return MetrcError(
            f"Metrc answered {status} {self._said(response.reason_phrase)} to {method} {path}"
        )

    def _said(self, text: str) -> str:
        """Text of Metrc's answer fit for a message: the keys taken out (a server that echoes
        the request's Authorization header must not get them printed), hidden characters
        escaped, its length bounded."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return printable(text)


class _Pace:
    """At most ``rate`` takes a second, spread evenly, across threads."""

    def __init__(self, rate: float) -> None:
        self._gap = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next)
            self._next = at + self._gap
        if at > now:
            time.sleep(at - now)


def _forms_of(keys: Keys) -> list[str]:
    """Each key as it could come back: as sent, and base64 alone or as the Basic pair."""
    pair = f"{keys.vendor}:{keys.user}"
    forms = [pair, keys.vendor, keys.user]
    forms += [base64.b64encode(form.encode()).decode() for form in forms]
    # Longest first, so a pair is taken out whole before its parts are looked for.
    return sorted({form for form in forms if form}, key=len, reverse=True)


def _decoded(response: httpx.Response) -> Any:
    """The JSON of an answer; an answer that is not JSON is a one-line error."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        request = response.request
        raise MetrcError(
            f"Metrc's answer to {request.method} {request.url.path} is not JSON"
        ) from None


def _page_rows(answer: Any) -> list[dict[str, Any]]:
    if not isinstance(answer, dict) or not isinstance(answer.get("Data"), list):
        raise MetrcError("Metrc's answer is neither a list nor a page of one")
    rows: list[dict[str, Any]] = answer["Data"]
    return rows


def _retry_after(response: httpx.Response) -> float | None:
    """The wait Metrc asked for, bounded; None when it asked for none (or not in seconds)."""
    value = response.headers.get("Retry-After", "")
    try:
        return min(max(float(value), 0.0), MAX_WAIT_S)
    except ValueError:
        return None


class _Again(Exception):
    """A try that may be tried again: what happened, Metrc's status (0: no answer), and the
    wait Metrc asked for, if it did."""

    def __init__(self, said: str, status: int = 0, wait: float | None = None) -> None:
        super().__init__(said)
        self.status = status
        self.wait = wait


def _pause(state: tenacity.RetryCallState) -> float:
    """Before the next try: what Metrc's Retry-After asked, else BACKOFF_S doubled after
    each failed try, at most MAX_WAIT_S."""
    said = state.outcome.exception() if state.outcome else None
    if isinstance(said, _Again) and said.wait is not None:
        return said.wait
    return float(min(BACKOFF_S * 2 ** (state.attempt_number - 1), MAX_WAIT_S))


def _rejections(response: httpx.Response) -> list[Rejection]:
    """[I] Metrc's 400 bodies: ``[{"row": 0, "message": "..."}]``, or ``{"Message": "..."}``."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        text = response.text.strip().splitlines()
        return [Rejection(None, text[0] if text else "validation failed")]
    items = body if isinstance(body, list) else [body]
    found = []
    for item in items:
        if not isinstance(item, dict):
            found.append(Rejection(None, str(item)))
            continue
        lowered = {key.lower(): value for key, value in item.items()}
        row = lowered.get("row")
        message = str(lowered.get("message") or "validation failed")
        found.append(Rejection(row if isinstance(row, int) else None, message))
    return found or [Rejection(None, "validation failed")]
