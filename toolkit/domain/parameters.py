"""The MCC's configurable parameters (Parameters document MHHS-DEL2429 section 2.3) with their defaults.

Each field carries its abbreviation and the section it comes from, so the envelope workbook's parameter
sheet and the docs are generated from this one definition. "P2.3.1" points into the Parameters document,
"F" into Foundations (DEL2426), "C" into the Choreography (DEL2762), "METHOD" into our reconstruction.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from toolkit.domain.findings import Severity
from toolkit.domain.text import address_problem, valid


def _param(default, abbrev: str, source: str, description: str, **limits):
    return Field(default, description=description, json_schema_extra={"abbrev": abbrev, "source": source},
                 **limits)


class _Section(BaseModel):
    # defer_build: a model's validators are built when it first validates, not at import (start-up, issue 20)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class LdsoTier(_Section):
    """One LDSO Threshold Tier (LTT): LDSOs with at least ``min_mpans`` metering points get ``threshold``."""

    min_mpans: int = Field(ge=0)
    threshold: int = Field(gt=0)


_DEFAULT_TIERS = (  # (min_mpans, threshold)
    # LTT1-LTT5, Parameters 2.3.1 (originally MHHS-DEL1648 Migration Thresholds Document)
    (3_000_000, 40_000), (2_000_000, 30_000), (1_400_000, 20_000), (900_000, 15_000), (0, 10_000),
)


def _default_tiers() -> tuple[LdsoTier, ...]:
    """Made when first needed, not at import: a model validated at import builds pydantic's validators (start-up,
    issue 20)."""
    return tuple(LdsoTier(min_mpans=m, threshold=t) for m, t in _DEFAULT_TIERS)


class Thresholds(_Section):
    ldso_tiers: tuple[LdsoTier, ...] = Field(
        default_factory=_default_tiers, description="LDSO threshold tiers: metering point count lower bound and LT",
        json_schema_extra={"abbrev": "LTT1-5", "source": "P2.3.1 LTT"})
    dlt: int = _param(150_000, "DLT", "P2.3.1 DLT; F5.2.8",
                      "De minimis LDSO threshold: LDSOs with fewer metering points get no envelopes", gt=0)
    dsltt: int = _param(40_000, "DSLTT", "P2.3.1 DSLTT; F5.2.7",
                        "De minimis supplier LDSO threshold: smaller portfolios follow de minimis rules", gt=0)
    sslpt: int = _param(500, "SSLPT", "P2.3.1 SSLPT; F5.2.7",
                        "Small supplier LDSO portfolio threshold: below it no per-day constraints", ge=0)
    rcfc: float = _param(1.02, "RCFC", "P2.3.1 RCFC; F5.2.9",
                         "Reserved capacity factor: the national reserve for errors and reverse migrations is CSMT x "
                         "(RCFC - 1), 4,000 at 200,000 (1% errors + 1% reverse migrations)", ge=1.0, le=1.5)
    lrcfc: float = _param(1.02, "LRCFC", "P2.3.1 LRCFC, LRC",
                          "LDSO reserved capacity factor: LRC = ULMT x (LRCFC - 1), kept out of the LDSO's planned "
                          "limit; an optional lrcfc column of config/ldsos.csv sets it per LDSO", ge=1.0, le=1.5)

    @model_validator(mode="after")
    def _tiers_cover_zero(self) -> Thresholds:
        mins = [t.min_mpans for t in self.ldso_tiers]
        if not mins:
            raise ValueError("ldso_tiers needs at least one tier")
        if 0 not in mins:
            raise ValueError("ldso_tiers must include a tier with min_mpans = 0 so every LDSO has a threshold")
        if len(set(mins)) != len(mins):
            raise ValueError("ldso_tiers has two tiers with the same min_mpans")
        return self


class Windows(_Section):
    iruw_weeks: int = _param(13, "IRUW", "P2.3.1 IRUW; F5.2.5",
                             "Industry ramp-up window (Early Life Support) in weeks from M11", ge=0)
    sruw: int = _param(22, "SRUW", "P2.3.1 SRUW", "Supplier ramp-up window in migration days", ge=1)
    xsruw: int = _param(22, "XSRUW", "P2.3.1 XSRUW",
                        "Extended ramp-up window added to SRUW when XRUF is set (before M14 only)", ge=0)
    cmw: int = _param(132, "CMW", "P2.3.1 CMW; F5.2.3", "Core migration window in migration days", ge=1)


class ScalingFactors(_Section):
    industry_ramp_up: float = _param(0.1, "SLSF (industry ramp-up)", "P2.3.1 SLSF",
                                     "Scaling factor inside Early Life Support", ge=0, le=1)
    supplier_ramp_up: float = _param(0.1, "SLSF (supplier ramp-up)", "P2.3.1 SLSF",
                                     "Scaling factor during supplier ramp-up", ge=0, le=1)
    core: float = _param(1.0, "SLSF (core)", "P2.3.1 SLSF",
                         "Scaling factor in the core migration window", ge=0, le=1)
    ramp_down: float = _param(0.1, "SLSF (ramp-down)", "P2.3.1 SLSF",
                              "Scaling factor from the end of the core window to M15", ge=0, le=1)


class Submission(_Section):
    rurp_min: float = _param(0.05, "RURPmin", "P2.3.1 RURPmin; F5.2.7",
                             "Minimum share of the portfolio planned in the ramp-up month", ge=0, le=1)
    rurp_max: float = _param(0.10, "RURPmax", "P2.3.1 RURPmax; F5.2.7",
                             "Maximum share of the portfolio planned in the ramp-up month", ge=0, le=1)
    cmwcp: float = _param(0.9, "CMWCP", "P2.3.1 CMWCP",
                          "Share of the portfolio expected by the end of the core window", ge=0, le=1)
    ddpru: int = _param(20, "DDPRU", "P2.3.1 DDPRU; F5.2.7",
                        "De minimis: minimum migration days for the remainder after ramp-up", ge=1)
    dsp: float = _param(0.10, "DSP", "P2.3.1 DSP; F5.2.7",
                        "De minimis: daily maximum as a share of the LDSO threshold", gt=0, le=1)
    ramp_up_min_within_envelope: bool = _param(
        True, "RURPmin within envelope", "toolkit; METHOD 7 ramp-up.range",
        "ENVELOPE pairs: when the ramp-up envelopes hold less than RURPmin of the portfolio (at SLSF 0.1 they "
        "always do), the ramp-up minimum is the envelope total over the ramp-up days")
    late_severity: Severity = _param(
        Severity.WARNING, "late return", "C3.6; C4.4; toolkit",
        "timeliness.late: a plan received after the sprint's submission deadline is reported as 'warning' (accepted, "
        "marked late) or 'error' (refused)")
    completeness_beyond_capacity: Severity = _param(
        Severity.WARNING, "completeness beyond capacity", "F5.1; C3.2.2; toolkit",
        "completeness.portfolio where the limits to M15 cannot hold the remaining portfolio: a plan holding all that "
        "fits but short of the portfolio is a 'warning' (plan what fits, request unused capacity) or an 'error'")
    carry_over: bool = _param(
        True, "carry-over", "F5.4; F6.5; toolkit",
        "Pre-fill the weeks after the sprint in a group's template with its latest accepted weekly plan")

    @model_validator(mode="after")
    def _range(self) -> Submission:
        if self.rurp_min > self.rurp_max:
            raise ValueError(f"rurp_min ({self.rurp_min}) is above rurp_max ({self.rurp_max})")
        return self


class Tolerance(_Section):
    emt_l1: float = _param(0.05, "EMT-L1", "P2.3.1 EMT-L1", "Excess within this share: level 1", ge=0)
    emt_l2: float = _param(0.10, "EMT-L2", "P2.3.1 EMT-L2",
                           "Excess above L1 up to this share: level 2; beyond: level 3", ge=0)
    smt_l1: float = _param(0.05, "SMT-L1", "P2.3.1 SMT-L1", "Shortfall within this share: level 1", ge=0)
    smt_l2: float = _param(0.10, "SMT-L2", "P2.3.1 SMT-L2",
                           "Shortfall above L1 up to this share: level 2; beyond: level 3", ge=0)
    rolling_days: int = _param(5, "rolling period", "P2.3.1 EMT/SMT 'Cumulative (Rolling period)'; toolkit",
                               "Migration days summed for the rolling-period tolerance levels (the length is our "
                               "choice: the Parameters document names the period only)", ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Tolerance:
        if self.emt_l1 > self.emt_l2 or self.smt_l1 > self.smt_l2:
            raise ValueError("level 1 tolerances must not exceed level 2 tolerances")
        return self


class Activation(_Section):
    mao_default: int = _param(5, "MAOdef", "P2.3.1 MAOdef; F5.2.11",
                              "Working days from initiation (IF-031) to appointment effective date", ge=0)
    mao_min: int = _param(2, "MAOmin", "P2.3.1 MAOmin", "Fast feedback: minimum activation offset", ge=0)
    mao_max: int = _param(4, "MAOmax", "P2.3.1 MAOmax", "Fast feedback: maximum activation offset", ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Activation:
        if self.mao_min > self.mao_max:
            raise ValueError(f"mao_min ({self.mao_min}) is above mao_max ({self.mao_max})")
        return self


class FastFeedback(_Section):
    weeks: int = _param(2, "FF", "P2.3.1 FF; F5.2.11",
                        "Fast feedback period: weeks from the start of ramp-up", ge=0)
    initiations: int = _param(500, "FF", "F5.2.11", "Fast feedback: maximum initiations in total", ge=0)

    def window(self, migration_start: date) -> tuple[date, date]:
        """The fast-feedback window of a group: from its ramp-up start for ``weeks`` weeks (F5.2.11)."""
        return migration_start, migration_start + timedelta(weeks=self.weeks, days=-1)

    def for_group(self, weeks: int | None, initiations: int | None) -> FastFeedback:
        """The terms agreed with a group (F5.2.11: for Early Life Support parties "with duration and the limit for the
        number of initiations to be agreed"; P FF: extensions granted case by case); None keeps the default."""
        return self.model_copy(update={k: v for k, v in (("weeks", weeks), ("initiations", initiations))
                                       if v is not None})


class ShareBasis(StrEnum):
    """How a group's share of an LDSO's pool is weighed (METHOD 5; the documents leave it open)."""

    ACTIVE = "active"  # ISLP / sum of ISLP over ENVELOPE pairs active that day
    LDSO = "ldso"  # ISLP / LMPC


class ReservePlacement(StrEnum):
    """Where the national Reserved Capacity (RCFC) sits against CSMT (F5.2.9; the Method Statement is not available)."""

    ABOVE = "above"  # F5.2.9: the reserve is taken from the exceptional capacity above CSMT; plans use all of CSMT
    WITHIN = "within"  # the reserve is carved out of CSMT: plans use CSMT / RCFC


class DlfcBasis(StrEnum):
    """Which de minimis LDSO metering points the De minimis LDSO Factor counts (P DLFC "Per Day")."""

    ACTIVE = "active"  # per day: MPANs in de minimis LDSOs held by groups whose migration has started
    ALL = "all"  # one factor for the window: every de minimis LDSO's metering points


class AllocationRule(StrEnum):
    """How unused capacity is shared when requests exceed it (METHOD 8)."""

    PRO_RATA = "pro_rata"  # METHOD 8: to the amounts requested, largest remainder
    EQUAL_SHARE = "equal_share"  # max-min fair: the same for every requesting group, capped at its request


class FewRequesters(StrEnum):
    """How an oversubscribed LDSO-day is shared where fewer than ``disclosure_minimum`` other groups ask (issue
    17): a share of the capacity that depends on the other requests lets a group work out the other's request
    from its own grant, and capacity minus its grant is the other's grant (a figure of its baseline plan)."""

    CAPPED = "capped"  # each group at most 1/disclosure_minimum of the capacity; hidden capacity: in full or not
    SHARED = "shared"  # uca_rule as on any LDSO-day (gives the other requests away)


class Capacity(_Section):
    csmt_hard_limit: int = _param(300_000, "CSMT hard limit", "F5.2.9",
                                  "Hard constraint on daily migrations nationally", gt=0)
    csmt_planning_max: int = _param(280_000, "CSMT max", "F5.2.9; P2.3.1 CSMT",
                                    "Never plan above this many migrations a day", gt=0)
    csmt_operational: int = _param(200_000, "CSMT min", "F5.2.9; P2.3.1 CSMT",
                                   "The Operational Threshold: mcc check warns where CSMT is set below it (CSMT is "
                                   "flexed between 200k and 280k)", gt=0)
    stability_share: float = _param(
        0.9, "stability share", "F5.2.9",
        "Exceptional capacity: a migration day counts toward stability when the nation migrated at least this share of "
        "the day's CSMT (F5.2.9: 'at or above 90% of the current threshold')", gt=0, le=1)
    stability_days: int = _param(
        10, "stability days", "F5.2.9",
        "Exceptional capacity: days at or above the share needed in the preceding period (F5.2.9: 'for at least ten "
        "days (not necessarily contiguous)')", ge=1)
    reserve_placement: ReservePlacement = _param(
        ReservePlacement.ABOVE, "RCFC placement", "F5.2.9; METHOD 3",
        "'above': the national reserve sits on top of CSMT (F5.2.9: it 'will allow 200k planned migrations per day to "
        "be incorporated into Capacity Envelopes'; the load limit is CSMT x RCFC); 'within': plans use CSMT / RCFC and "
        "the load limit is CSMT")
    dlfc_basis: DlfcBasis = _param(
        DlfcBasis.ACTIVE, "DLFC basis", "P2.3.1 DLFC; METHOD 3",
        "'active': DLFC per day, the de minimis LDSOs' MPANs of groups migrating by that day over all metering points "
        "(P DLFC: per day, from the calendar and the supplier migration start dates); 'all': one DLFC, every de "
        "minimis LDSO's metering points")
    share_basis: ShareBasis = _param(ShareBasis.ACTIVE, "share_basis", "METHOD 5",
                                     "Weight of a group in an LDSO's pool: 'active' or 'ldso'")
    uca_rule: AllocationRule = _param(AllocationRule.PRO_RATA, "UCA rule", "METHOD 8; C3.2.2",
                                      "Allocation of unused capacity when oversubscribed: 'pro_rata' or 'equal_share'")
    uca_few_requesters: FewRequesters = _param(
        FewRequesters.CAPPED, "UCA with few requesters", "toolkit (issue 17)",
        "Oversubscribed LDSO-days with fewer than disclosure_minimum other requesters: 'capped' grants each group at "
        "most 1/disclosure_minimum of the capacity (and, where the capacity was not shown, its request in full or "
        "nothing), leaving the rest for a later round; 'shared' applies uca_rule")
    disclosure_minimum: int = _param(3, "disclosure minimum", "METHOD 8",
                                     "Aggregates built from fewer groups are suppressed in publications", ge=1)
    disclosure_dominance: float = _param(
        0.85, "disclosure dominance", "toolkit (issue 17)",
        "An aggregate is suppressed where one other group makes more than this share of what a recipient cannot see",
        gt=0, le=1)
    disclosure_protection: float = _param(
        0.10, "disclosure protection", "toolkit (issue 17)",
        "No group's figure may be bounded within this share of it either side from what another party receives",
        ge=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Capacity:
        if self.csmt_planning_max > self.csmt_hard_limit:
            raise ValueError("csmt_planning_max must not exceed csmt_hard_limit")
        if self.csmt_operational > self.csmt_planning_max:
            raise ValueError("csmt_operational must not exceed csmt_planning_max")
        return self


class Checks(_Section):
    portfolio_tolerance: float = _param(
        0.05, "portfolio tolerance", "toolkit",
        "Largest accepted gap between an LDSO's portfolio total and its metering point count, as a share",
        ge=0, le=1)


class Contact(_Section):
    name: str = _param("Migration Control Centre", "MCC name", "toolkit",
                       "Who the templates, feedback and emails come from", min_length=1)
    email: str = _param("mcc@mcc.example", "MCC email", "toolkit",
                        "The MCC's mailbox: suppliers return plans and ask questions here", min_length=3)

    @field_validator("name")
    @classmethod
    def _plain(cls, value: str) -> str:
        return valid(value)

    @field_validator("email")
    @classmethod
    def _one_address(cls, value: str) -> str:
        """The sender of every email and the recipient of quarantine notices: one address, nothing that could add
        a header or a second recipient."""
        return valid(value, address_problem)


class Monitoring(_Section):
    persistent_days: int = _param(
        3, "persistent deviation", "F6.3; toolkit",
        "A group deviates persistently (a trend, not ad hoc) when its total is at level 2 or more in one direction on "
        "at least this many of its last persistent_window planned migration days, outage days left out", ge=1)
    exception_rate: float = _param(
        0.05, "exception rate", "F6.1; toolkit",
        "The MCC engages where more than this share of a group's initiations in an LDSO resulted in exceptions in the "
        "sprint so far (F6.1 gives no figure; outturn's optional exceptions column)", ge=0, le=1)
    persistent_window: int = _param(5, "persistent window", "F6.3; toolkit",
                                    "Planned migration days looked back over for persistent deviation", ge=1)
    secondary_spike: float = _param(
        0.25, "secondary spike", "F5.5; toolkit",
        "Flag an effective day where a group's IF-036 completions in an LDSO exceed its IF-031 initiations for them "
        "by more than this share (secondary MPANs appointed with their primary)", ge=0)


class Intake(_Section):
    """The watched inbox's limits and patience (issue 16). Read when the inbox starts."""

    max_file_mib: float = _param(50.0, "largest file", "toolkit; EXCEL.md",
                                 "Largest returned file read, in MiB: a larger one is refused unread (its first MiB "
                                 "kept)", gt=0)
    max_unpacked_mib: float = _param(200.0, "largest unpacked", "toolkit; EXCEL.md",
                                     "Largest a workbook may expand to when unzipped, in MiB (zip bombs)", gt=0)
    max_sheet_cells: int = _param(2_000_000, "largest sheet", "toolkit; EXCEL.md",
                                  "Most cells a sheet that is read may span from A1 to its farthest cell (a template "
                                  "spans under 100,000; one value in A1048576 spans millions)", gt=0)
    read_seconds: float = _param(60.0, "read time limit", "toolkit; EXCEL.md",
                                 "Seconds one file may take to read before it is quarantined", gt=0)
    read_memory_mib: int = _param(1024, "read memory limit", "toolkit; EXCEL.md",
                                  "Memory the process reading one file may use, in MiB", ge=256)
    retry_seconds: float = _param(30.0, "retry after a fault", "toolkit",
                                  "Seconds the inbox waits after a fault of the machine (read-only ledger, full disk, "
                                  "unwritable outbox) before trying again", gt=0)
    lock_stale_seconds: float = _param(120.0, "stale lock", "toolkit",
                                       "A lock on the inbox held from another machine whose heartbeat is older than "
                                       "this is taken over", gt=0)


class MailboxSource(StrEnum):
    MAILDIR = "maildir"  # a Maildir folder (new/, cur/, tmp/): what a mail server's local delivery writes
    IMAP = "imap"  # an IMAP mailbox over TLS


class Mailbox(_Section):
    """The MCC's mailbox ``mcc mailbox`` takes returns from (issue 21); the IMAP password is never in a file, only
    in an environment variable."""

    source: MailboxSource = _param(MailboxSource.MAILDIR, "mailbox source", "toolkit",
                                   "'maildir' (a folder) or 'imap' (a server, over TLS)")
    maildir: str = _param("mailbox", "Maildir folder", "toolkit",
                          "The Maildir folder, relative to the workspace (or absolute)", min_length=1)
    host: str = _param("", "IMAP host", "toolkit", "IMAP server (source 'imap')")
    port: int = _param(993, "IMAP port", "toolkit", "IMAP server port (993: TLS from the start)", gt=0, le=65535)
    user: str = _param("", "IMAP user", "toolkit", "Login name of the MCC's mailbox")
    password_env: str = _param("MCC_IMAP_PASSWORD", "IMAP password variable", "toolkit",
                               "The environment variable holding the IMAP password", min_length=1)
    folder: str = _param("INBOX", "IMAP folder", "toolkit", "The folder returns arrive in", min_length=1)
    processed_folder: str = _param("Processed", "processed folder", "toolkit",
                                   "Where a message is moved once every attachment is in the ledger (IMAP folder, "
                                   "or Maildir++ subfolder .Processed)", min_length=1)
    quarantine_folder: str = _param("Quarantine", "quarantine folder", "toolkit",
                                    "Where a message that was not taken in (unknown sender, too large, malformed) is "
                                    "moved", min_length=1)
    ca_file: str = _param("", "IMAP CA file", "toolkit",
                          "A CA certificate file to trust for the IMAP server (empty: the system's)")
    timeout_seconds: float = _param(30.0, "IMAP timeout", "toolkit", "Seconds to wait for the server", gt=0)
    max_message_mib: float = _param(35.0, "largest message", "toolkit",
                                    "Largest message read, in MiB: a larger one is quarantined unread (headers only)",
                                    gt=0)
    envelope_check: bool = _param(True, "envelope sender check", "toolkit",
                                  "Quarantine a message whose envelope sender (Return-Path) is of another domain "
                                  "than its From; false where a forwarding rule rewrites the envelope sender (SRS)")
    max_attachments: int = _param(20, "most attachments", "toolkit",
                                  "Most attachments of one message taken in (zip entries counted)", ge=1)
    outturn_senders: tuple[str, ...] = _param(
        (), "outturn senders", "toolkit",
        "Addresses whose .csv attachments are taken as outturn (the central migration reports); from anyone else a "
        ".csv is refused, so no supplier can replace another group's outturn by email")


class Success(_Section):
    participant: float = _param(
        0.9, "participant criterion", "F7 Migration performance 1",
        "A group meets the criterion when it has migrated this share of its agreed plan by the end of its core "
        "window (lost days included)", gt=0, le=1)
    aggregate: float = _param(
        0.9, "aggregate criterion", "F7 Migration performance 2",
        "The programme meets the criterion when this share of the planned migrations of the period is achieved",
        gt=0, le=1)
    forecast_days: int = _param(
        20, "forecast window", "F7 Migration performance; toolkit",
        "Migration days of outturn averaged for the run rate that forecasts completion against M15", ge=1)


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    SSL = "ssl"  # TLS from the start (port 465)
    NONE = "none"  # no encryption: only for a relay on the same machine or network


class Smtp(_Section):
    """The mail server ``mcc distribute --send`` uses; the password is never in a file, only in an environment
    variable."""

    host: str = _param("", "SMTP host", "toolkit", "Mail server; empty means mail is only written to outbox/, "
                       "never sent")
    port: int = _param(587, "SMTP port", "toolkit", "Mail server port (587 STARTTLS, 465 SSL, 25 relay)", gt=0,
                       le=65535)
    security: SmtpSecurity = _param(SmtpSecurity.STARTTLS, "SMTP security", "toolkit",
                                    "'starttls', 'ssl' or 'none'")
    user: str = _param("", "SMTP user", "toolkit", "Login name; empty means the server needs no login")
    password_env: str = _param("MCC_SMTP_PASSWORD", "SMTP password variable", "toolkit",
                               "The environment variable holding the password", min_length=1)
    timeout_seconds: float = _param(30.0, "SMTP timeout", "toolkit", "Seconds to wait for the server", gt=0)
    attempts: int = _param(3, "SMTP attempts", "toolkit", "Tries per message before giving up on it", ge=1)
    retry_wait_seconds: float = _param(5.0, "SMTP retry wait", "toolkit",
                                       "Seconds before the second try, doubled before each further try", ge=0)


class Parameters(_Section):
    """Everything in ``config/parameters.toml``; every key optional, defaults from the Parameters document."""

    thresholds: Thresholds = Field(default_factory=Thresholds)
    windows: Windows = Field(default_factory=Windows)
    scaling: ScalingFactors = Field(default_factory=ScalingFactors)
    submission: Submission = Field(default_factory=Submission)
    tolerance: Tolerance = Field(default_factory=Tolerance)
    activation: Activation = Field(default_factory=Activation)
    fast_feedback: FastFeedback = Field(default_factory=FastFeedback)
    capacity: Capacity = Field(default_factory=Capacity)
    checks: Checks = Field(default_factory=Checks)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    success: Success = Field(default_factory=Success)
    contact: Contact = Field(default_factory=Contact)
    smtp: Smtp = Field(default_factory=Smtp)
    inbox: Intake = Field(default_factory=Intake)
    mailbox: Mailbox = Field(default_factory=Mailbox)

    def described(self) -> list[tuple[str, str, str, object, str]]:
        """(section, key, abbreviation, value, source) for every parameter, for parameter sheets and docs."""
        rows = []
        for section_name in type(self).model_fields:
            section = getattr(self, section_name)
            for key, field in type(section).model_fields.items():
                extra = field.json_schema_extra or {}
                value = getattr(section, key)
                if key == "ldso_tiers":
                    value = "; ".join(f">={t.min_mpans:,}: {t.threshold:,}" for t in value)
                elif isinstance(value, StrEnum):
                    value = value.value
                rows.append((section_name, key, extra.get("abbrev", key), value, extra.get("source", "")))
        return rows

    def description_of(self, section: str, key: str) -> str:
        return type(getattr(self, section)).model_fields[key].description or ""
