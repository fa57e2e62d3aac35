"""The Retail ID part of the fake Metrc (``/retailid/v2/*``), in the shapes of
``../shared/reference/retail-id.md`` §1.

Each license has an allotment that generate spends; a package (one Metrc holds for that
license) gets codes in index ranges that continue from its last issuance, starting at 1 [I].
Unit URLs are built here independently of the station's code, with the reference's own
Python re-implementation of the SDK, so a test compares two implementations.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_A = string.digits + string.ascii_uppercase

Answer = tuple[int, Any, dict[str, str]]


def short_code(tag_hex: str, index: int) -> str:
    """The reference's re-implementation of the SDK's ``getShortUrl`` data part."""
    out = bytearray()
    n = index
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    number = int.from_bytes(bytes.fromhex(tag_hex) + bytes(out), "big")
    text = ""
    while number:
        number, r = divmod(number, 36)
        text = _A[r] + text
    return text


def unit_url(tag: str, index: int) -> str:
    return f"HTTPS://1A4.COM/{short_code(tag, index)}"


@dataclass
class Issuance:
    id: str
    quantity: int
    ranges: list[list[int]]


@dataclass
class FakeRetail:
    allotments: dict[str, int] = field(default_factory=dict)
    issued: dict[str, list[Issuance]] = field(default_factory=dict)  # by package label
    # Unit short code -> (its package, the package it is now in)
    units: dict[str, tuple[str, str]] = field(default_factory=dict)
    generated: int = 0

    def answer(
        self,
        method: str,
        path: str,
        body: Any,
        license_number: str,
        packages: dict[str, dict[str, Any]],
    ) -> Answer:
        def ours(label: Any) -> bool:
            found = packages.get(label) if isinstance(label, str) else None
            return found is not None and found.get("LicenseNumber") == license_number

        if method == "GET" and path == "/retailid/v2/allotment":
            left = self.allotments.get(license_number, 0)
            return (
                200,
                {"FacilityId": 7, "Allotment": left, "FacilityLicenseNumber": license_number},
                {},
            )
        if method == "GET" and path.startswith("/retailid/v2/receive/qr/"):
            code = path.rsplit("/", 1)[1].upper()
            if code not in self.units:
                return 404, {"Message": "QR code not found."}, {}
            return 200, self._receive(self.units[code][0]), {}
        if method == "GET" and path.startswith("/retailid/v2/receive/"):
            label = path.rsplit("/", 1)[1]
            if not ours(label):
                return 404, {"Message": "Package not found."}, {}
            return 200, self._receive(label), {}
        if method != "POST":
            return 404, {"Message": f"No such endpoint {path}"}, {}
        if path == "/retailid/v2/generate":
            return self._generate(body, license_number, ours)
        if path == "/retailid/v2/packages/info":
            labels = body.get("packageLabels") if isinstance(body, dict) else None
            if not isinstance(labels, list):
                return 400, [{"message": "packageLabels is required."}], {}
            return 200, {"Packages": [self._info(label) for label in labels if ours(label)]}, {}
        if path == "/retailid/v2/associate":
            return self._associate(body, ours)
        return 404, {"Message": f"No such endpoint {path}"}, {}

    def _generate(self, body: Any, license_number: str, ours: Callable[[Any], bool]) -> Answer:
        if not isinstance(body, dict):
            return 400, [{"message": "The request body must be an object."}], {}
        if not ours(body.get("PackageLabel")):
            return 400, [{"message": f"Package {body.get('PackageLabel')} not found."}], {}
        label: str = body["PackageLabel"]
        quantity = body.get("Quantity")
        if not isinstance(quantity, int) or quantity < 1:
            return 400, [{"message": "Quantity must be a positive number."}], {}
        left = self.allotments.get(license_number, 0)
        if quantity > left:
            return 400, [{"message": f"Insufficient allotment: {left} remaining."}], {}
        self.allotments[license_number] = left - quantity
        done = sum(i.quantity for i in self.issued.get(label, []))
        self.generated += 1
        issuance = Issuance(f"{self.generated:024x}", quantity, [[done + 1, done + quantity]])
        self.issued.setdefault(label, []).append(issuance)
        for index in range(done + 1, done + quantity + 1):
            self.units[short_code(label, index)] = (label, label)
        return (
            200,
            {
                "CoaBl": f"{label}@Metrc Direct~COA",
                "IssuanceId": issuance.id,
                "Manifest": {
                    "Qrs": [unit_url(label, i) for i in range(done + 1, done + quantity + 1)],
                    "Ranges": issuance.ranges,
                },
                "StackBl": "Testing Item@Metrc Direct",
                "Url": f"https://1a4.com/g/s/{issuance.id}",
            },
            {},
        )

    def _info(self, label: str) -> dict[str, Any]:
        issuances = self.issued.get(label, [])
        count = sum(i.quantity for i in issuances)
        return {
            "Tag": label,
            "QrCount": count,
            "EstimatedBalance": count,
            "SiblingCount": 0,
            "IssuanceId": issuances[-1].id if issuances else None,
            "Issuances": [
                {
                    "LabelSet": n,
                    "LabelQuantity": i.quantity,
                    "CreatedAt": "2026-11-28T00:00:00+00:00",
                }
                for n, i in enumerate(issuances)
            ]
            or None,
            "HasQrs": bool(issuances),
            "RequiresVerification": False,
        }

    def _receive(self, label: str) -> dict[str, Any]:
        issuances = self.issued.get(label, [])
        ranges = [pair for i in issuances for pair in i.ranges]
        eaches = [unit_url(label, n) for a, b in ranges for n in range(a, b + 1)]
        children = {now for code, (home, now) in self.units.items() if home == label}
        child = next((c for c in sorted(children) if c != label), None)
        return {
            "Eaches": eaches,
            "SiblingTags": [],
            "RequiresVerification": False,
            "Ranges": ranges,
            "QrCount": len(eaches),
            "ChildTag": child,
            "LabelSource": "RetailId",
        }

    def _associate(self, body: Any, ours: Callable[[Any], bool]) -> Answer:
        if not isinstance(body, list):
            return 400, [{"message": "The request body must be an array."}], {}
        errors = []
        for row, item in enumerate(body):
            urls = item.get("QrUrls") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not ours(item.get("PackageLabel")):
                errors.append({"row": row, "message": "Package not found."})
            elif not isinstance(urls, list):
                errors.append({"row": row, "message": "QrUrls is required."})
            else:
                unknown = [u for u in urls if str(u).rsplit("/", 1)[-1].upper() not in self.units]
                if unknown:
                    errors.append({"row": row, "message": f"Unknown QR code {unknown[0]}."})
        if errors:
            return 400, errors, {}
        ids: list[int] = []
        for item in body:
            for url in item["QrUrls"]:
                code = url.rsplit("/", 1)[-1].upper()
                self.units[code] = (self.units[code][0], item["PackageLabel"])
                ids.append(len(ids) + 1)
        return 200, {"Ids": ids, "Warnings": None}, {}
