"""identity.template (METHOD 7; C3.2.1 a): the file is a template the MCC issued for this group and the cycle it
collects plans for, with unaltered metadata and signature, and not superseded. The caller establishes the facts
(``Identity``); this module judges them, for plans and UCA requests alike."""

from __future__ import annotations

from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.rules.case import Identity, PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.submission import Submission


def check_identity(sub: Submission, facts: Identity) -> list[Finding]:
    meta = sub.meta
    out: list[Finding] = []
    if not meta.get("template_id"):
        return [finding(RuleId.IDENTITY_TEMPLATE, f"{sub.file} is not a plan template issued by the MCC (it has no "
                        "template metadata). Fill in the template the MCC sent you and return that.",
                        hint="use the template attached to the MCC's email")]
    tid = meta["template_id"]
    if not facts.signature_ok:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"the template's metadata was altered or its signature does not "
                           f"match (template {tid}); the MCC cannot tell which envelopes it was issued with.",
                           sheet="_mcc", hint="return the template as issued; do not copy its sheets into "
                                              "another workbook"))
    if content_altered(sub, facts):
        how = ("does not match the metadata it carries" if sub.locked_digest else
               "is not where the metadata it carries says (a sheet renamed or deleted)")
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"this workbook is not the one template {tid} was issued as: "
                           f"its locked content (group details, LDSO headers, dates or limits) {how}, so the MCC "
                           "cannot tell whose plan it is. Its figures were not judged.",
                           sheet="_mcc", hint="return your own template as issued; do not copy sheets between "
                                              "workbooks"))
    group, cycle = meta.get("group", ""), meta.get("cycle", "")
    if not facts.known_group:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"group {group or '(none)'} of template {tid} is not a supplier "
                           "group the MCC knows.", sheet="_mcc"))
    if not facts.known_cycle:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"planning cycle {cycle or '(none)'} of template {tid} is not a "
                           "sprint of the migration calendar.", sheet="_mcc"))
    if facts.claimed_group and group and facts.claimed_group != group:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"this file was delivered as group {facts.claimed_group}'s, but "
                           f"it is group {group}'s template {tid}.",
                           hint=f"send your own template, issued to group {facts.claimed_group}"))
    if facts.planning_cycle and cycle and facts.known_cycle and cycle != facts.planning_cycle:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"template {tid} is for planning cycle {cycle}; the MCC is "
                           f"collecting plans for {facts.planning_cycle}.",
                           hint=f"use the template issued for {facts.planning_cycle}"))
    if facts.known_group and facts.known_cycle:
        version = int(meta.get("version", "0") or 0) if str(meta.get("version", "")).isdigit() else 0
        if not facts.registered:
            out.append(finding(RuleId.IDENTITY_TEMPLATE, f"template {tid} is not in the MCC's register of issued "
                               f"templates for {cycle}.", sheet="_mcc"))
        elif facts.current_version is not None and version < facts.current_version:
            out.append(finding(RuleId.IDENTITY_TEMPLATE, f"template {tid} (version {version}) was superseded by "
                               f"version {facts.current_version}; plans are only accepted on the latest version.",
                               hint=f"copy your figures into version {facts.current_version} and return that"))
        if facts.current_digest and meta.get("envelope_digest") and facts.signature_ok \
                and meta["envelope_digest"] != facts.current_digest:
            out.append(finding(RuleId.IDENTITY_TEMPLATE, f"the envelopes of template {tid} have changed since it was "
                               "issued; the MCC will send (or has sent) a new version.",
                               hint="plan on the latest version of the template"))
    return out


def content_altered(sub: Submission, facts: Identity) -> bool:
    """The signed metadata names locked content the file does not hold as issued (issue 17: another workbook's
    metadata carried into this one)."""
    signed = sub.meta.get("content_digest", "")
    return facts.signature_ok and bool(signed) and sub.locked_digest != signed


def group_in_doubt(sub: Submission, facts: Identity) -> bool:
    """Whose plan the file is cannot be told for sure: no metadata, metadata altered or carried from another
    workbook, an unknown group, or a file delivered as another group's. Its answer then names the problem only and
    goes to the MCC, never to the group the metadata names (issue 17)."""
    meta = sub.meta
    group = meta.get("group", "")
    return (not meta.get("template_id") or not facts.signature_ok or not facts.known_group
            or content_altered(sub, facts) or bool(facts.claimed_group and group and facts.claimed_group != group))


@family("template identity", emits=(RuleId.IDENTITY_TEMPLATE,))
def template_identity(case: PlanCase) -> list[Finding]:
    """Plans and UCA requests alike (a ``RequestCase`` has the same ``sub`` and ``facts``)."""
    return check_identity(case.sub, case.facts)
