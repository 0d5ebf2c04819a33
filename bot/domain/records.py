"""Volunteer service records (志愿服务记录): where hours come from, sign-in codes, certificates and corrections.

The rules of 《志愿服务记录与证明出具办法》 as the bot applies them: whoever organises records, whoever records
certifies, free of charge; a certificate shows the volunteer's identity only as far as needed (masked), each
service with its date, content and hours, the total, the issuer, a responsible person and contact, a number, a
date and a code anyone can check; the volunteer may ask for a record to be corrected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Provenance(StrEnum):
    """How a service record's hours are known, strongest first."""

    VERIFIED = "verified"
    """Checked in at the place with the activity's sign-in code, and no more hours than the activity lasted."""
    CONFIRMED = "confirmed"
    """A secretary confirmed the reported hours, or logged them."""
    SELF_REPORTED = "self_reported"
    """The member's own report, not confirmed yet."""


CERTIFIED = (Provenance.VERIFIED, Provenance.CONFIRMED)
"""Hours a certificate counts: the volunteer's own word alone is not certified."""

CODE_DIGITS = 6


@dataclass(frozen=True, slots=True)
class SigninCode:
    """A sign-in code opened for one activity (a micro-wish); only a salted hash of its digits is kept."""

    id: int
    wish_id: int
    salt: str
    code_hash: str
    hours: float
    opened_by: int | None
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None = None

    def open_at(self, now: datetime) -> bool:
        """Whether it takes check-ins at ``now``."""
        return self.closed_at is None and self.opened_at <= now < self.expires_at

    def matches(self, code: str) -> bool:
        """Whether ``code`` is this sign-in's code (compared in constant time)."""
        return hmac.compare_digest(code_hash(self.salt, code), self.code_hash)


def code_hash(salt: str, code: str) -> str:
    """The stored form of a sign-in code: HMAC-SHA256 of the digits under the row's random salt."""
    return hmac.new(salt.encode("ascii"), code.encode("ascii"), hashlib.sha256).hexdigest()


def read_code(text: str) -> str | None:
    """The 6 digits of a sign-in code as typed (``123456``, ``123 456``, full-width digits); None otherwise."""
    digits = "".join(ch for ch in text if not ch.isspace() and ch not in "-_")
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else None


@dataclass(frozen=True, slots=True)
class CertificateLine:
    """One service on a certificate."""

    record_id: int
    served_on: date
    content: str
    hours: float
    provenance: str


@dataclass(frozen=True, slots=True)
class CertificateContent:
    """Everything a certificate says, fixed when it is issued; its digest is what the verification code signs."""

    number: str
    member_name: str
    """Masked: the family name and the last character (张*三)."""
    member_phone: str
    """Masked (138****5678), or empty."""
    committee: str
    branch: str
    period_start: date
    period_end: date
    lines: tuple[CertificateLine, ...]
    total_hours: float
    responsible: str
    contact: str
    issued_on: date

    def canonical(self) -> str:
        """The content as canonical JSON (sorted keys, no spaces): the same bytes whenever it is read back."""
        data = {
            "number": self.number,
            "member_name": self.member_name,
            "member_phone": self.member_phone,
            "committee": self.committee,
            "branch": self.branch,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "lines": [
                [ln.record_id, ln.served_on.isoformat(), ln.content, round(ln.hours, 2), ln.provenance]
                for ln in self.lines
            ],
            "total_hours": round(self.total_hours, 2),
            "responsible": self.responsible,
            "contact": self.contact,
            "issued_on": self.issued_on.isoformat(),
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_canonical(cls, text: str) -> CertificateContent:
        """The content back from its canonical JSON (as stored)."""
        data = json.loads(text)
        return cls(
            number=data["number"],
            member_name=data["member_name"],
            member_phone=data["member_phone"],
            committee=data["committee"],
            branch=data["branch"],
            period_start=date.fromisoformat(data["period_start"]),
            period_end=date.fromisoformat(data["period_end"]),
            lines=tuple(
                CertificateLine(int(r[0]), date.fromisoformat(r[1]), str(r[2]), float(r[3]), str(r[4]))
                for r in data["lines"]
            ),
            total_hours=float(data["total_hours"]),
            responsible=data["responsible"],
            contact=data["contact"],
            issued_on=date.fromisoformat(data["issued_on"]),
        )

    def digest(self) -> str:
        """SHA-256 of the canonical content."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Certificate:
    """An issued certificate as stored."""

    id: int
    number: str
    code: str
    member_id: int | None
    committee_id: int | None
    content: CertificateContent
    digest: str
    issued_at: datetime


VERIFY_CODE_CHARS = 12
_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "ABCDEFGHJKMNPQRSTVWXYZ0123456789")


def verification_code(secret: str, number: str, digest: str) -> str:
    """The code printed on a certificate: HMAC-SHA256 (key: the database's certificate key) over its number and
    content digest, 60 bits in 12 characters without I, L, O, U (``XXXX-XXXX-XXXX``), short enough to type."""
    mac = hmac.new(secret.encode("ascii"), f"{number}\n{digest}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(mac).decode("ascii").translate(_CROCKFORD)[:VERIFY_CODE_CHARS]
    return "-".join(text[i : i + 4] for i in range(0, VERIFY_CODE_CHARS, 4))


def normalize_verification_code(text: str) -> str | None:
    """A typed verification code in its printed form (case, spaces and dashes ignored; O read as 0, I and L as 1);
    None when it cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum()).translate(str.maketrans("OIL", "011"))
    if len(raw) != VERIFY_CODE_CHARS or not raw.isascii():
        return None
    return "-".join(raw[i : i + 4] for i in range(0, VERIFY_CODE_CHARS, 4))


def certificate_number(issued_on: date, committee_id: int, serial: int) -> str:
    """``ZYFW-2026-003-000042``: 志愿服务 year, committee and the certificate's serial."""
    return f"ZYFW-{issued_on.year}-{committee_id:03d}-{serial:06d}"


def mask_name(name: str) -> str:
    """A name as a certificate may show it: 张三 -> 张*, 张小三 -> 张*三, Li Ming -> L*** M***."""
    name = " ".join(name.split())
    if not name:
        return ""
    if name.isascii():
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split(" "))
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class CorrectionStatus(StrEnum):
    """Where a member's request to correct a record stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Correction:
    """A member's request to correct one of their service records, and the secretary's decision."""

    id: int
    service_id: int
    member_id: int
    hours: float | None
    reason: str
    status: CorrectionStatus
    requested_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    answer: str = ""


@dataclass(frozen=True, slots=True)
class PointsRule:
    """Points per hour by provenance (时间银行, 爱心超市); off unless the committee turns it on."""

    enabled: bool = False
    per_verified_hour: float = 1.0
    per_confirmed_hour: float = 1.0
    per_self_reported_hour: float = 0.0

    def points(self, hours: float, provenance: str) -> float:
        """The points ``hours`` of this provenance earn."""
        rate = {
            Provenance.VERIFIED: self.per_verified_hour,
            Provenance.CONFIRMED: self.per_confirmed_hour,
            Provenance.SELF_REPORTED: self.per_self_reported_hour,
        }.get(Provenance(provenance), 0.0)
        return round(hours * rate, 2)
