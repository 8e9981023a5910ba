"""The ``mcc`` command: parse arguments, call a service, render the result, set the exit code.

Exit codes: 0 success; 1 the input was judged invalid (a rejected workbook, a failed check);
2 usage or configuration error; 3 an unexpected internal error. Always a message, never a traceback
(``MCC_DEBUG=1`` shows the traceback of an internal error).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from toolkit import __version__, services
from toolkit.config.demo import DEMO_GROUPS, DEMO_LDSOS, DEMO_SEED, DemoSpec
from toolkit.domain import envelopes as env_domain
from toolkit.errors import ToolkitError
from toolkit.workspace import resolve_workspace

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    name="mcc",
    help="Migration Control Centre toolkit: calendar, envelopes, supplier templates, validation, schedule.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="Workspace folder (default: the current folder if it has a "
                 "config/, else the repository root).", show_default=False),
]


def _today() -> date:
    """The clock is read here, at the edge, and passed into the services."""
    override = os.environ.get("MCC_TODAY")
    return date.fromisoformat(override) if override else date.today()


def _now() -> datetime:
    """Now, on the day MCC_TODAY names when it is set (a rehearsal of a day of execution keeps its time of day)."""
    now = datetime.now(UTC)
    override = os.environ.get("MCC_TODAY")
    return datetime.combine(date.fromisoformat(override), now.timetz()) if override else now


def _warn(config) -> None:
    for problem in config.warnings:
        err_console.print(f"[yellow]warning[/]: {escape(str(problem))}")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    force: Annotated[bool, typer.Option(help="Overwrite an existing config/.")] = False,
) -> None:
    """Create a new workspace holding the demo configuration."""
    ws = services.init_workspace(directory, force=force)
    console.print(f"Created workspace {ws.root} with the demo configuration in {ws.config}")


@app.command("generate-industry")
def generate_industry(
    out: Annotated[Path, typer.Option(help="Folder for the configuration files.")],
    groups: Annotated[int, typer.Option(min=1, help="Supplier groups.")] = DEMO_GROUPS,
    ldsos: Annotated[int, typer.Option(min=1, help="LDSOs: the 14 DNOs first, then iDNOs.")] = DEMO_LDSOS,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = DEMO_SEED,
) -> None:
    """Generate a realistic demo industry of any size (the demo config/ is the default one)."""
    paths = services.generate_industry(out, DemoSpec(groups=groups, ldsos=ldsos, seed=seed))
    console.print(f"Wrote {len(paths)} files to {out}: {', '.join(p.name for p in paths)}")


@app.command()
def check(workspace: WorkspaceOpt = None) -> None:
    """Validate the workspace configuration and summarise the industry."""
    ws = resolve_workspace(workspace)
    config = services.load(ws)
    _warn(config)
    ind = config.industry
    table = Table(title=f"Workspace {ws.root}", show_header=False)
    table.add_row("LDSOs", f"{len(ind.ldsos)} ({ind.total_mpans:,} MPANs)")
    table.add_row("supplier groups", f"{len(ind.groups)} ({len(ind.group_of_supplier)} supplier MPIDs)")
    table.add_row("window", f"M11 {config.calendar.m11} to M15 {config.calendar.m15} "
                  f"({len(config.calendar.migration_days())} migration days)")
    table.add_row("sprints", str(len(config.calendar.sprints)))
    console.print(table)
    console.print("[green]configuration is valid[/]")


@app.command()
def calendar(
    csv: Annotated[Path | None, typer.Option("--csv", help="Write one row per date from M11 to M15.")] = None,
    ics: Annotated[Path | None, typer.Option("--ics", help="Write the key events as an iCalendar file.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export the migration calendar (CSV of days, iCalendar of key events)."""
    if csv is None and ics is None:
        raise typer.BadParameter("give --csv FILE and/or --ics FILE")
    config = services.load(resolve_workspace(workspace))
    _warn(config)
    if csv is not None:
        rows = services.export_calendar_csv(config, csv)
        console.print(f"Wrote {rows} days to {csv}")
    if ics is not None:
        count = services.export_calendar_ics(config, ics, datetime.now(UTC))
        console.print(f"Wrote {count} events to {ics}")


@app.command()
def sprints(
    csv: Annotated[Path | None, typer.Option("--csv", help="Write one row per sprint.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show the sprint cycles and their phase dates, or write them as CSV."""
    config = services.load(resolve_workspace(workspace))
    _warn(config)
    if csv is not None:
        rows = services.export_sprints_csv(config, csv)
        console.print(f"Wrote {rows} sprints to {csv}")
        return
    table = Table(title="Sprint cycles")
    for col in ("sprint", "plan start", "envelopes", "deadline", "draft/UCA", "UCA end", "baseline",
                "execution", "retro"):
        table.add_column(col)
    for s in config.calendar.sprints:
        table.add_row(s.cycle, f"{s.plan_start}", f"{s.envelope_issue}", f"{s.submission_deadline}",
                      f"{s.draft_publication}", f"{s.uca_end}", f"{s.baseline_publication}",
                      f"{s.execution_start} to {s.execution_end}", f"{s.retro_start} to {s.retro_end}")
    console.print(table)


@app.command()
def envelopes(
    csv: Annotated[Path | None, typer.Option("--csv", help="Write one row per group, LDSO and migration date.")] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help="Weekly envelopes (weeks start Monday).")] = False,
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3) for the workbook folder; default: the "
                                              "sprint being planned today.")] = None,
    workbook: Annotated[bool, typer.Option(help="Write workbooks/<cycle>/envelopes.xlsx.")] = True,
    workspace: WorkspaceOpt = None,
) -> None:
    """Calculate the capacity envelopes, warn where capacity is insufficient, optionally write them as CSV."""
    ws = resolve_workspace(workspace)
    config = services.load(ws)
    _warn(config)
    with console.status("calculating envelopes"):
        env = services.envelopes(config)
    shortfalls = env_domain.sufficiency(env, config.parameters)
    for s in shortfalls:
        err_console.print(f"[yellow]warning[/]: group {s.group} in LDSO {s.ldso}: envelopes to the end of the core "
                          f"window give {s.capacity_to_core_end:,} of the {s.required:,} MPANs needed for "
                          f"{config.parameters.submission.cmwcp:.0%} of {s.portfolio:,} "
                          f"({s.attainable:.1%} attainable): flex CSMT or change the share basis")
    if csv is not None:
        rows = services.export_envelopes_csv(env, csv, weekly=weekly)
        console.print(f"Wrote {rows:,} rows to {csv}")
    if workbook:
        sprint = services.resolve_cycle(config, cycle, _today())
        path = services.write_envelope_workbook(config, ws, env, sprint)
        console.print(f"Wrote the MCC envelope workbook {path}")
    pairs = int((env.category == env_domain.Category.ENVELOPE).sum())
    console.print(f"{len(env.groups)} groups, {len(env.ldsos)} LDSOs, {pairs} pairs with envelopes, "
                  f"{len(shortfalls)} with insufficient capacity")


@app.command()
def explain(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID.")],
    ldso: Annotated[str, typer.Argument(help="LDSO MPID.")],
    day: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Show how one envelope figure is derived, step by step with the numbers."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter(f"{day!r} is not a date (write it as YYYY-MM-DD)") from None
    config = services.load(resolve_workspace(workspace))
    for step, text in services.explain_envelope(config, group.upper(), ldso.upper(), when):
        console.print(f"[bold]{step:>8}[/]  {text}", highlight=False, soft_wrap=True)


@app.command()
def templates(
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today.")] = None,
    group: Annotated[list[str] | None, typer.Option("--group", "-g", help="Only this supplier group (repeat for "
                                                    "more); default: every group.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes writing workbooks (default: up to 4).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Issue the supplier submission templates: one workbook per group in workbooks/<cycle>/templates/."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    ws = resolve_workspace(workspace)
    config = services.load(ws)
    _warn(config)
    sprint = services.resolve_cycle(config, cycle, _today())
    env = services.envelopes(config)
    count = len(group) if group else len(config.industry.groups)
    with Progress(TextColumn("issuing templates"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("templates", total=count)
        issued = services.issue_templates(ws, config, env, sprint, datetime.now(UTC), groups=group,
                                          workers=workers, progress=lambda _t: bar.advance(task))
    folder = services.templates_dir(ws, sprint.cycle)
    for t in issued if len(issued) <= 10 else []:
        console.print(f"{t.group}: {folder / t.file} (version {t.version})")
    console.print(f"Issued {len(issued)} template{'s' if len(issued) != 1 else ''} for sprint {sprint.sprint} "
                  f"({sprint.cycle}) to {folder}; return by {sprint.submission_deadline:%a %d %b %Y}")


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="The returned workbook to judge.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict and findings as JSON.")] = False,
    cycle: Annotated[str | None, typer.Option(help="The planning cycle being collected (default: the sprint "
                                              "being planned today).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Judge one returned workbook without touching the inbox: exit 0 accepted, 1 rejected, 2 unreadable."""
    import json

    ws = resolve_workspace(workspace)
    judged = services.validate_file(ws, file, _today(), cycle)
    if as_json:
        console.print_json(json.dumps(judged.as_json(file.name)))
    else:
        colour = {"accepted": "green", "rejected": "red"}.get(judged.status.value, "yellow")
        console.print(f"[bold {colour}]{judged.status.value.upper()}[/] {file.name}"
                      + (f": group {judged.group}, {judged.cycle}, version {judged.version}" if judged.group else "")
                      + f" ({judged.errors} errors, {judged.warnings} warnings)", highlight=False)
        for f in judged.findings:
            where = " ".join(x for x in (f.sheet and f"'{f.sheet}'", f.cell, f.ldso) if x)
            console.print(f"  {f.severity.value:<7} {f.rule:<26} {where:<24} {f.message}", highlight=False,
                          soft_wrap=True)
    code = {"accepted": EXIT_OK, "rejected": EXIT_INVALID}.get(judged.status.value, EXIT_USAGE)
    raise typer.Exit(code)


@app.command()
def watch(
    once: Annotated[bool, typer.Option("--once", help="Process what is in the inbox now and exit.")] = False,
    polling: Annotated[bool, typer.Option(help="Poll the folder instead of inotify (network shares).")] = False,
    quiet: Annotated[float, typer.Option(help="Seconds a file must stay unchanged before it is read.")] = 2.0,
    max_wait: Annotated[float, typer.Option(help="With --once: seconds to wait for files still being "
                                            "written.")] = 30.0,
    cycle: Annotated[str | None, typer.Option(help="The planning cycle being collected (default: the sprint "
                                              "being planned today).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes judging files (default: one per "
                                                "core, up to 4).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Watch inbox/: judge every returned workbook, answer in outbox/, record it in the ledger."""
    from toolkit.inbox.watcher import Stability, run_once
    from toolkit.inbox.watcher import watch as watch_inbox

    ws = resolve_workspace(workspace)

    def report(o) -> None:
        colour = {"accepted": "green", "rejected": "red", "duplicate": "dim"}.get(o.status, "yellow")
        detail = o.reason if o.status in ("quarantined", "duplicate") else f"{o.errors} errors, {o.warnings} warnings"
        console.print(f"#{o.row_id} [{colour}]{o.status}[/] {o.name}"
                      + (f" ({o.group}, {o.cycle})" if o.group else "") + f": {detail}", highlight=False,
                      soft_wrap=True)

    inbox = services.make_inbox(ws, _today(), lambda: datetime.now(UTC), cycle, on_outcome=report)
    stability = Stability(quiet_seconds=quiet, settle_seconds=max(3 * quiet, 1.0))
    workers = workers or min(os.cpu_count() or 1, 4)
    if once:
        outcomes, waiting = run_once(inbox, stability, max_wait=max_wait, workers=workers)
        for path in waiting:
            err_console.print(f"[yellow]waiting[/]: {path.name} is still being written; left in the inbox for the "
                              "next run")
        console.print(f"{len(outcomes)} file{'s' if len(outcomes) != 1 else ''} processed, {len(waiting)} waiting")
        return
    watch_inbox(inbox, stability, polling=polling, log=lambda m: err_console.print(m), workers=workers)


@app.command()
def status(
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Per group: submitted, accepted, rejected, latest version; and the groups without a valid plan."""
    ws = resolve_workspace(workspace)
    config = services.load(ws)
    sprint = services.resolve_cycle(config, cycle, _today())
    rows = services.submission_status(ws, config, sprint.cycle)
    table = Table(title=f"Submissions for sprint {sprint.sprint} ({sprint.cycle}), deadline "
                        f"{sprint.submission_deadline:%a %d %b %Y}")
    for col in ("group", "name", "submitted", "accepted", "rejected", "quarantined", "latest", "current plan"):
        table.add_column(col)
    for r in rows:
        latest = f"v{r.latest_version} {r.latest_status} {r.latest_at}" if r.latest_at else ""
        table.add_row(r.group, r.name, str(r.submitted), str(r.accepted), str(r.rejected), str(r.quarantined),
                      latest, r.current_plan or "[red]outstanding[/]")
    console.print(table)
    missing = [r.group for r in rows if r.current_plan is None]
    console.print(f"{len(rows) - len(missing)} of {len(rows)} groups have a valid plan."
                  + (f" Without one ({len(missing)}): {', '.join(missing)}" if missing else ""), soft_wrap=True)


@app.command()
def consolidate(
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Consolidate the accepted plans into the draft schedule workbook, with breaches and missing plans."""
    ws = resolve_workspace(workspace)
    config = services.load(ws)
    sprint = services.resolve_cycle(config, cycle, _today())
    with console.status("consolidating the accepted plans"):
        result, path = services.consolidate_schedule(ws, config, sprint, datetime.now(UTC))
    s = result.schedule
    console.print(f"Draft schedule for sprint {sprint.sprint} ({sprint.cycle}): {len(result.plans)} accepted plans, "
                  f"{len(result.missing)} groups without one, {len(result.breaches)} breaches; "
                  f"{int(s.national_daily.sum()):,} migrations planned in the sprint, "
                  f"{int(s.national_weekly.sum()):,} to M15")
    for b in result.breaches[:10]:
        who = ", ".join(g for g, _ in b.contributors[:5])
        err_console.print(f"[yellow]breach[/]: {b.scope} {b.granularity} {b.period}: {b.planned:,} planned, limit "
                          f"{b.limit:,.0f} ({who})")
    console.print(f"Wrote {path}")


uca_app = typer.Typer(help="Unused capacity allocation: the report and request workbooks, then the allocation.",
                      no_args_is_help=True)
app.add_typer(uca_app, name="uca")


@uca_app.command("report")
def uca_report(
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today, or with --adhoc the one executing.")] = None,
    adhoc: Annotated[bool, typer.Option("--adhoc", help="An ad hoc round during execution: hand out the capacity "
                                        "groups ceded, for the days after today.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """The Unused Capacity report (aggregated) and a UCA request workbook for every eligible group."""
    from toolkit.monitor import executing
    from toolkit.uca import requests_dir

    ws = resolve_workspace(workspace)
    config = services.load(ws)
    sprint = executing(config, cycle, _today()) if adhoc else services.resolve_cycle(config, cycle, _today())
    with console.status("computing unused capacity"):
        report = services.uca_report(ws, config, sprint, _now(), adhoc=adhoc, today=_today())
    what = "the unused capacity report" if report.round == 1 else f"the ad hoc report of round {report.round}"
    console.print(f"Wrote {what} {report.report} and {len(report.requests)} request workbooks for the eligible groups "
                  f"in {requests_dir(ws, sprint.cycle, report.round)}; return them through the inbox, then run "
                  "mcc uca allocate")


@uca_app.command("allocate")
def uca_allocate(
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Allocate the accepted UCA requests (METHOD 8), write the allocation and the baseline schedule."""
    ws = resolve_workspace(workspace)
    config = services.load(ws)
    sprint = services.resolve_cycle(config, cycle, _today())
    alloc, book, base, notices = services.uca_allocate(ws, config, sprint, datetime.now(UTC))
    console.print(f"{int(alloc.requests.sum()):,} migrations requested by {len({g.group for g in alloc.explained})} "
                  f"groups, {int(alloc.grants.sum()):,} granted; {len(alloc.breaches)} breaches in the baseline")
    console.print(f"Wrote {book}, {base} and {len(notices)} grant notices")


@app.command()
def publish(
    stage: Annotated[str, typer.Option(help="draft (accepted plans) or baseline (plans and UCA grants).")] = "draft",
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Publish the schedule in aggregated form: industry, per LDSO, per group (own figures) and per agent."""
    from toolkit.publish import publish as publish_set

    ws = resolve_workspace(workspace)
    config = services.load(ws)
    sprint = services.resolve_cycle(config, cycle, _today())
    with console.status(f"writing the {stage} publication"):
        pub = publish_set(ws, config, sprint, stage, datetime.now(UTC))
    console.print(f"Published the {stage} schedule of {sprint.cycle}, version {pub.version}: {len(pub.files)} "
                  f"workbooks in {pub.folder}")


@app.command()
def distribute(
    what: Annotated[str, typer.Option(help="templates, feedback, reminders, uca, grants or publication.")],
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the sprint being planned "
                                              "today.")] = None,
    send: Annotated[bool, typer.Option("--send", help="Send the messages through the [smtp] server of "
                                       "config/parameters.toml (password from its password_env variable). "
                                       "Without it nothing leaves the machine.")] = False,
    stage: Annotated[str | None, typer.Option(help="With --what publication: draft or baseline (default: the "
                                              "latest publication, the baseline if there is one).")] = None,
    retry_uncertain: Annotated[bool, typer.Option(help="Send again the messages an interrupted run left "
                                                  "uncertain (check the sent items first).")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write one .eml per recipient into outbox/<cycle>/mail/<what>/ (openable in Outlook); --send sends them,
    each at most once."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from toolkit.distribute import prepare
    from toolkit.distribute import send as send_messages

    ws = resolve_workspace(workspace)
    config = services.load(ws)
    sprint = services.resolve_cycle(config, cycle, _today())
    with console.status(f"composing the {what} messages"):
        dist = prepare(ws, config, sprint, what, _today(), datetime.now(UTC), stage=stage)
    table = Table(title=f"{what} for sprint {sprint.sprint} ({sprint.cycle}): {len(dist.messages)} messages in "
                        f"{dist.folder.relative_to(ws.root)}")
    for col in ("to", "recipients", "subject", "attachments", "record"):
        table.add_column(col, overflow="fold")
    for m in dist.messages[:25]:
        table.add_row(m.party, ", ".join(m.to), m.subject, ", ".join(m.attachments), m.status)
    if len(dist.messages) > 25:
        table.add_row("...", f"and {len(dist.messages) - 25} more", "", "", "")
    console.print(table)
    for party, why in dist.skipped:
        err_console.print(f"[yellow]not addressed[/]: {party}: {why}", highlight=False)
    if not send:
        console.print("Nothing was sent (add --send to send them).")
        return
    password = os.environ.get(config.parameters.smtp.password_env)
    with Progress(TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("send", total=len(dist.messages))
        report = send_messages(ws, config, dist, password, lambda: datetime.now(UTC).isoformat(timespec="seconds"),
                               retry_uncertain=retry_uncertain, progress=lambda _k, _s: bar.advance(task))
    console.print(f"{len(report.sent)} sent, {len(report.already)} already sent before, {len(report.failed)} failed, "
                  f"{len(report.uncertain)} uncertain, {len(report.not_tried)} not tried")
    for key, error in report.failed:
        err_console.print(f"[red]failed[/]: {key}: {error}", highlight=False)
    for key, refused in report.refused:
        err_console.print(f"[yellow]partly refused[/]: {key} was sent, but not to {refused}", highlight=False)
    for key in report.uncertain:
        err_console.print(f"[yellow]uncertain[/]: {key} was being sent when an earlier run stopped; check the sent "
                          "items, then use --retry-uncertain to send it again", highlight=False)
    if report.stopped:
        err_console.print(f"[red]stopped[/]: {report.stopped}", highlight=False)
    if report.failed or report.uncertain or report.not_tried:
        raise typer.Exit(EXIT_INVALID)


monitor_app = typer.Typer(help="Sprint execution: outturn against the plan, shortfalls, lost migration days.",
                          no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (write it as YYYY-MM-DD)", param_hint=name) from None


@monitor_app.command("ingest")
def monitor_ingest(
    file: Annotated[Path, typer.Argument(help="Outturn CSV or xlsx: supplier_mpid,ldso_mpid,initiation_date,"
                                         "effective_date,initiations,completions.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Check an outturn file and store it (through the inbox: archived, recorded, answered in outbox/outturn/)."""
    from toolkit.monitor import ingest

    ws = resolve_workspace(workspace)
    outcome = ingest(ws, file.expanduser(), _today(), _now)
    colour = {"accepted": "green", "rejected": "red"}.get(outcome.status, "yellow")
    console.print(f"#{outcome.row_id} [{colour}]{outcome.status}[/] {outcome.name}", highlight=False)
    if outcome.outputs:
        for line in outcome.outputs[0].read_text(encoding="utf-8").splitlines()[1:]:
            (console if outcome.status == "accepted" else err_console).print(line, highlight=False, markup=False)
    raise typer.Exit(EXIT_OK if outcome.status in ("accepted", "duplicate") else
                     EXIT_INVALID if outcome.status == "rejected" else EXIT_USAGE)


@monitor_app.command("report")
def monitor_report(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD: the last day to monitor (default: "
                                              "today).")] = None,
    cycle: Annotated[str | None, typer.Option(help="Sprint (S3 or 3); default: the one executing.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """The daily monitoring workbook: heat map by level, trends, level-3 escalations, offsets, CMWCP progress."""
    from toolkit.monitor import executing, monitoring_report

    ws = resolve_workspace(workspace)
    config = services.load(ws)
    day = _day(as_of, "--as-of") or _today()
    sprint = executing(config, cycle, day)
    with console.status("comparing the outturn with the plan"):
        report = monitoring_report(ws, config, sprint, day, _now())
    mon = report.monitoring
    console.print(f"Sprint {sprint.sprint} ({sprint.cycle}), {mon.days[0]} to {mon.days[-1]}: "
                  f"{int(report.national_actual.sum()):,} migrated against {int(report.national_plan.sum()):,} "
                  f"planned; {len(mon.escalations)} level-3 escalations, {len(report.offsets)} activation offsets "
                  f"outside MAO, {len(report.spikes)} secondary MPAN spikes")
    for e in mon.escalations[:10]:
        err_console.print(f"[red]level 3[/] {e.group} {e.ldso} {e.scope} {e.day}: {e.actual:,} against {e.plan:,} "
                          f"planned ({e.direction}{', unplanned day' if e.unplanned else ''})", highlight=False)
    console.print(f"Wrote {report.path}")


@monitor_app.command("shortfall")
def monitor_shortfall(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID.")],
    ldso: Annotated[str, typer.Argument(help="LDSO MPID.")],
    count: Annotated[int, typer.Option(help="Migrations fewer than planned, each day.")],
    reason: Annotated[str, typer.Option(help="What the group told the MCC.")],
    day: Annotated[str, typer.Option("--day", help="YYYY-MM-DD, the (first) day.")],
    to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD: every migration day up to this one.")] = None,
    cycle: Annotated[str | None, typer.Option(help="Sprint; default: the one executing on --day.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Record a shortfall a group notified: the capacity it cedes goes to the next ad hoc UCA round."""
    from toolkit.monitor import executing, notify_shortfall

    ws = resolve_workspace(workspace)
    config = services.load(ws)
    first = _day(day, "--day")
    last = _day(to, "--to") or first
    sprint = executing(config, cycle, first)
    days = [d for d in config.calendar.migration_days(first, last)] if last > first else [first]
    ids = notify_shortfall(ws, config, sprint, group, ldso, days, count, reason, _now())
    console.print(f"Recorded {len(ids)} day{'s' if len(ids) != 1 else ''}: {group.upper()} cedes {count:,} a day in "
                  f"{ldso.upper()} ({days[0]} to {days[-1]}). Hand it out with mcc uca report --adhoc.")


@monitor_app.command("lost-days")
def monitor_lost_days(
    group: Annotated[str, typer.Argument(help="Supplier Group MPID.")],
    days: Annotated[int, typer.Argument(help="Migration days lost.")],
    reason: Annotated[str, typer.Option(help="The circumstance beyond the group's control (F6.6).")],
    incident: Annotated[str, typer.Option(help="The related incident reference.")],
    approved: Annotated[str | None, typer.Option(help="YYYY-MM-DD the MCC approved it (default: today); before "
                                                 "M14.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Record an approved Lost Migration Day claim: it extends the group's core window (XCMW) in
    config/lost_days.csv, from the next envelopes and templates on."""
    from toolkit.monitor import record_lost_days

    ws = resolve_workspace(workspace)
    config = services.load(ws)
    before, after = record_lost_days(ws, config, group, days, reason, incident, _day(approved, "--approved")
                                     or _today())
    console.print(f"Recorded {days} lost migration day{'s' if days != 1 else ''} for {group.upper()} in "
                  f"config/lost_days.csv: its core window now ends {after} (was {before}). Issue its next "
                  "templates to show it.")


@app.command("control-workbook")
def control_workbook(
    out: Annotated[Path | None, typer.Option(help="Folder for mcc_control.xlsm and mcc_control.py (default: the "
                                             "workspace's workbooks/).")] = None,
    interpreter: Annotated[str | None, typer.Option(help="The python.exe RunPython starts (default: this Python "
                                                    "on Windows, else python on the PATH).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the Excel control workbook (mcc_control.xlsm, macro-enabled) and the mcc_control.py its Run button
    calls through xlwings."""
    from toolkit.excel.writers.control import write_control_workbook

    ws = resolve_workspace(workspace)
    files = write_control_workbook((out or ws.workbooks).expanduser().resolve(), ws.root, interpreter)
    console.print(f"Wrote {files.workbook} and {files.module} (xlwings {files.xlwings_version}). Open the workbook "
                  "in Excel, choose an action and press Run; docs/excel.md explains the set-up on Windows.")


@app.command()
def demo(workspace: WorkspaceOpt = None) -> None:
    """Run the whole cycle on the demo workspace and list what it wrote."""
    ws = resolve_workspace(workspace)
    with console.status("running the demo: calendar, envelopes, templates, simulated returns, inbox"):
        result = services.run_demo(ws, today=_today(), stamp=datetime.now(UTC), clock=lambda: datetime.now(UTC))
    table = Table(title=f"Demo outputs in {ws.root}")
    table.add_column("what")
    table.add_column("file")
    for what, path in result.outputs:
        table.add_row(what, str(path.relative_to(ws.root)))
    console.print(table)


@app.command()
def version() -> None:
    """Print the toolkit version."""
    console.print(f"mcc {__version__}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command and turn every outcome into an exit code with a message."""
    try:
        result = app(args=argv, prog_name="mcc", standalone_mode=False)
        return result if isinstance(result, int) else EXIT_OK
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return EXIT_USAGE
    except ToolkitError as exc:  # ConfigError among them; messages name "[section] key", which is not markup
        err_console.print(f"[red]error[/]: {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return EXIT_USAGE
    except Exception as exc:
        if callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code"):
            exc.show()  # a usage error from typer's argument parser: message and usage line
            return EXIT_USAGE
        # the last resort: a message, not a traceback
        if os.environ.get("MCC_DEBUG"):
            raise
        err_console.print(f"[red]internal error[/]: {type(exc).__name__}: {escape(str(exc))} "
                          "(set MCC_DEBUG=1 to see the traceback, and report it)", highlight=False)
        return EXIT_INTERNAL


def entry() -> None:
    sys.exit(main())
