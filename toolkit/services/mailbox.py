"""Returns by email (issue 21): ``mcc mailbox`` takes each message of the MCC's mailbox, checks who sent it, and
hands each of its attachments to the inbox as a claimed file (``toolkit.inbox.entries.deliver``), with the email
as its claim: every guarantee of the inbox (bytes kept, exactly one answer, quarantine) applies, and the feedback
replies to the sender (copied to the group's contacts) when the sender is the group's.

For each message, in order:

1. its row in the ledger's ``messages`` table (by Message-ID); a message already finished is only moved out of the
   way (the same message delivered twice, or a crash after its row was finished);
2. an automatic message (auto-reply, bounce, delivery report) is recorded and never answered (no mail loops);
3. a sender in doubt (a From contradicted by the envelope sender or the Reply-To, a failed DMARC check), a sender no
   group knows (not a contact, not in a domain it declares), a message over ``[mailbox] max_message_mib`` or with
   a broken MIME structure is quarantined: its bytes kept in ``workbooks/quarantine/mail/``, the message moved to the
   quarantine folder, a notice written to the MCC; never answered with plan figures (a known sender of a message
   too large or broken is told so, briefly);
4. a message with no usable attachment: its sender is told what was expected;
5. otherwise each attachment is delivered to the inbox under a name made from the message and the attachment's
   place (so a delivery repeated after a crash is the same claim) and processed; the message is recorded
   ``taken`` only once every attachment has its finished ledger row, and only then moved to the processed folder.

A kill at any point leaves the message in the mailbox and its attachments claimed or finished: the next run takes
it up and answers nothing twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.domain.industry import SupplierGroup
from toolkit.domain.status import FINAL
from toolkit.domain.text import display_name
from toolkit.inbox import entries
from toolkit.inbox.intake import Inbox, Outcome
from toolkit.mail.compose import as_reply, compose, environment, stable_message_id, write_eml
from toolkit.mail.receive import Letter, ZipLimits, headers_only, parse
from toolkit.mail.sources import MailboxError, open_source
from toolkit.services.context import Context
from toolkit.services.inbox import make_inbox
from toolkit.services.outturn import OUTTURN_FOLDER
from toolkit.store import messages
from toolkit.store.messages import MessageStatus
from toolkit.store.records import MailOrigin, MailStatus

__all__ = ["Handled", "MailboxError", "take_mail"]


@dataclass
class Handled:
    """What became of one message."""

    key: str
    sender: str
    subject: str
    status: MessageStatus
    reason: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    again: bool = False  # finished before (a second delivery, or a run that stopped before moving it)
    answers: list[Path] = field(default_factory=list)  # replies and notices written
    row_ids: list[int] = field(default_factory=list)  # the ledger rows of its attachments, taken now or before


class _Run:
    def __init__(self, ctx: Context, inbox: Inbox, source):
        self.ctx, self.inbox, self.source = ctx, inbox, source
        self.settings = ctx.config.parameters.mailbox
        self.groups = ctx.config.industry.groups
        limits = inbox.limits
        self.zip_limits = ZipLimits(limits.max_entries, limits.max_uncompressed_bytes, limits.max_ratio,
                                    limits.max_file_bytes)

    def known(self, address: str) -> list[SupplierGroup]:
        return [g for g in self.groups if g.knows_sender(address)]

    def one(self, key: str) -> Handled:
        size = self.source.size(key)
        if size > self.settings.max_message_mib * 2**20:
            return self._too_large(key, size)
        letter = parse(self.source.fetch(key), lambda a: bool(self.known(a)), self.zip_limits,
                       self.settings.max_attachments, self.settings.envelope_check)
        now = self.ctx.clock.now()
        row = messages.receive(self.inbox.ledger, letter.key, letter.sha256, letter.sender, letter.subject,
                               letter.received or now)
        if row.sender != letter.sender:  # another sender's message carries this Message-ID (the sender chooses
            # it): this one is recorded on its own (a second delivery of one message, with more Received lines, is
            # still the same message)
            own = hashlib.sha256(letter.sender.encode()).hexdigest()[:16]
            letter = replace(letter, key=f"{letter.key} sha256:{own}")
            row = messages.receive(self.inbox.ledger, letter.key, letter.sha256, letter.sender, letter.subject,
                                   letter.received or now)
        if row.status in messages.FINISHED:
            self.source.done(key, quarantine=row.status == MessageStatus.QUARANTINED)
            root = self.ctx.workspace.root  # its answers, for --send after a run that stopped before moving it
            return Handled(letter.key, letter.sender, letter.subject, MessageStatus.DUPLICATE,
                           f"already taken in as message {row.id} ({row.status}): not taken again", again=True,
                           answers=[root / p for p in row.answer_path.split(", ") if p], row_ids=row.submission_ids)
        groups = self.known(letter.sender)
        if letter.automatic and letter.attachments:  # a list or an Outlook setting can mark a real return so:
            n = len(letter.attachments)  # kept for the MCC, with a notice, and never answered to the sender
            return self._quarantine(key, letter, f"marked as sent by a machine ({letter.automatic}) but carrying "
                                    f"{n} attachment{'s' if n != 1 else ''}: not judged and not answered; the MCC "
                                    "may drop the workbook into the inbox by hand", None)
        if letter.automatic:
            return self._finish(key, letter, MessageStatus.AUTOMATIC, f"sent by a machine ({letter.automatic}): "
                                "recorded, never answered")
        if letter.doubt:
            return self._quarantine(key, letter, f"the sender is in doubt: {letter.doubt}", None)
        if not groups:
            return self._quarantine(key, letter, f"the sender {letter.sender or '(none)'} is not a contact of any "
                                    "supplier group nor in a mail domain one declares", None)
        if letter.malformed:
            return self._quarantine(key, letter, f"the message is malformed: {letter.malformed}", groups)
        letter = self._outturn_from(letter)
        if not letter.attachments:
            lines = letter.refused + letter.ignored or ["the message had no attachment"]
            h = self._finish(key, letter, MessageStatus.EMPTY, "no usable attachment: " + "; ".join(lines),
                             reply=(groups, lines))
            return h
        return self._take(key, letter, groups)

    def _outturn_from(self, letter: Letter) -> Letter:
        """Outturn (.csv) only from the senders of ``[mailbox] outturn_senders``: a supplier's contact may return
        its group's plans, never replace the outturn the MCC monitors every group against."""
        allowed = {a.strip().lower() for a in self.settings.outturn_senders}
        refused = [a for a in letter.attachments if a.kind != "workbook" and letter.sender.lower() not in allowed]
        if not refused:
            return letter
        return replace(letter, attachments=[a for a in letter.attachments if a not in refused],
                       refused=letter.refused + [f"{display_name(a.name)}: outturn is taken by email only from the "
                                                 "MCC's configured outturn senders, not taken" for a in refused])

    # -- taking the attachments in --------------------------------------------------------------------------------
    def _take(self, key: str, letter: Letter, groups: list[SupplierGroup]) -> Handled:
        group = groups[0].mpid if len(groups) == 1 else None  # a sender several groups know claims none
        origin = MailOrigin(letter.message_id, letter.sender, letter.subject, letter.received or self.ctx.clock.now())
        outcomes, ids = [], []
        for n, att in enumerate(letter.attachments):
            ident = hashlib.sha256(f"{letter.key}\0{n}".encode()).hexdigest()[:12]
            claimed = self.inbox.processing / ident
            done = self.inbox.ledger.by_claim(ident)
            if done is not None and done.status in FINAL:
                ids.append(done.id)
                continue
            if not claimed.exists():
                entries.deliver(self.inbox.processing, ident, att.name, att.data,
                                group if att.kind == "workbook" else OUTTURN_FOLDER, origin)
            outcome = self.inbox.process_claimed(claimed)
            outcomes.append(outcome)
            ids.append(outcome.row_id)
        lines = letter.refused
        h = self._finish(key, letter, MessageStatus.TAKEN,
                         f"{len(ids)} attachment{'s' if len(ids) != 1 else ''} taken in"
                         + (f"; refused: {'; '.join(lines)}" if lines else "")
                         + (f"; ignored: {'; '.join(letter.ignored)}" if letter.ignored else ""),
                         ids, reply=(groups, lines) if lines else None)
        h.outcomes, h.row_ids = outcomes, list(ids)
        return h

    # -- the ends of a message ------------------------------------------------------------------------------------
    def _finish(self, key: str, letter: Letter, status: MessageStatus, reason: str, ids: list[int] = (),
                reply: tuple[list[SupplierGroup], list[str]] | None = None, notice: bool = False,
                kept: str = "") -> Handled:
        row = messages.get(self.inbox.ledger, letter.key)
        answers = []
        if reply is not None:
            answers.append(self._reply(row.id, letter, reply[0], reply[1]))
        if notice:
            answers.append(self._notice(row.id, letter, reason, kept))
        messages.finish(self.inbox.ledger, letter.key, status, self.ctx.clock.now(), reason, list(ids),
                        ", ".join(str(p.relative_to(self.ctx.workspace.root)) for p in answers))
        self.source.done(key, quarantine=status == MessageStatus.QUARANTINED)
        return Handled(letter.key, letter.sender, letter.subject, status, reason, answers=answers)

    def _quarantine(self, key: str, letter: Letter | None, reason: str, groups: list[SupplierGroup] | None,
                    raw: bytes | None = None) -> Handled:
        kept = self.ctx.workspace.quarantine / "mail" / f"{letter.sha256}.eml"
        kept.parent.mkdir(parents=True, exist_ok=True)
        if not kept.exists():
            data = raw if raw is not None else self.source.fetch(key)
            part = kept.with_name(kept.name + ".part")
            part.write_bytes(data)
            os.replace(part, kept)
        reply = (groups, [reason]) if groups else None
        return self._finish(key, letter, MessageStatus.QUARANTINED, reason, reply=reply, notice=True,
                            kept=str(kept.relative_to(self.ctx.workspace.root)))

    def _too_large(self, key: str, size: int) -> Handled:
        head = self.source.head(key)
        msg = headers_only(head)
        letter = parse(bytes(msg), lambda a: bool(self.known(a)))
        letter.sha256 = hashlib.sha256(head).hexdigest()
        row = messages.receive(self.inbox.ledger, letter.key, letter.sha256, letter.sender, letter.subject,
                               letter.received or self.ctx.clock.now())
        if row.status in messages.FINISHED:
            self.source.done(key, quarantine=True)
            return Handled(letter.key, letter.sender, letter.subject, MessageStatus.DUPLICATE,
                           f"already recorded as message {row.id}", again=True)
        reason = (f"the message is {size / 2**20:,.1f} MiB (limit {self.settings.max_message_mib:,.0f} MiB): not "
                  "read; send the workbook alone, or zipped")
        groups = self.known(letter.sender) if not (letter.automatic or letter.doubt) else []
        kept = self.ctx.workspace.quarantine / "mail" / f"{letter.sha256}.head.eml"
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(head)
        return self._finish(key, letter, MessageStatus.QUARANTINED, reason, reply=(groups, [reason]) if groups
                            else None, notice=True, kept=f"{kept.relative_to(self.ctx.workspace.root)} (its headers; "
                            "the whole message stays in the mailbox's quarantine folder)")

    def _compose(self, name: str, context: dict, to: list[str], subject: str, key: str):
        params = self.ctx.config.parameters
        return compose(environment(self.ctx.workspace.templates), name,
                       {**context, "mcc_name": params.contact.name, "mcc_email": params.contact.email},
                       params.contact.email, to, subject, self.ctx.clock.now(),
                       message_id=stable_message_id(key, params.contact.email))

    def _reply(self, row_id: int, letter: Letter, groups: list[SupplierGroup], lines: list[str]) -> Path:
        g = groups[0]
        key = f"mailbox/reply/{row_id:05d}"
        msg = self._compose("mailbox_reply", {"greeting": g.name if len(groups) == 1 else "supplier",
                                              "original_subject": letter.subject, "lines": lines,
                                              "received_at": _when(letter)}, [letter.sender], "reply", key)
        as_reply(msg, letter.sender, letter.message_id, letter.subject, g.contacts if len(groups) == 1 else ())
        return self._write(msg, key, f"{row_id:05d}_reply.eml", "MCC" if not g else g.mpid)

    def _notice(self, row_id: int, letter: Letter, reason: str, kept: str) -> Path:
        key = f"mailbox/notice/{row_id:05d}"
        mcc = self.ctx.config.parameters.contact.email
        msg = self._compose("mailbox_notice", {"sender": letter.sender or "(none)", "reason": reason,
                                               "original_subject": letter.subject, "received_at": _when(letter),
                                               "message_id": letter.message_id, "lines": [], "kept": kept,
                                               "folder": self.settings.quarantine_folder},
                            [mcc], f"[MCC] A message in the mailbox was not taken in (message {row_id})", key)
        return self._write(msg, key, f"{row_id:05d}_notice.eml", "MCC")

    def _write(self, msg, key: str, file: str, party: str) -> Path:
        ledger = self.inbox.ledger
        row = ledger.mail(key)
        if row is not None and row.status in (MailStatus.SENT, MailStatus.SENDING):
            return self.ctx.workspace.root / row.eml_path  # never rewritten once (possibly) sent
        path = write_eml(msg, self.ctx.workspace.outbox / "mailbox" / file)
        ledger.compose_mail(key, "mailbox", "mailbox", party, str(msg["To"]), str(msg["Subject"]),
                            str(path.relative_to(self.ctx.workspace.root)), str(msg["Message-ID"]),
                            self.ctx.clock.now())
        return path


def _when(letter: Letter) -> str:
    return f"{letter.received:%a %d %b %Y %H:%M}" if letter.received else "(no date)"


def take_mail(ctx: Context, cycle: str | None = None, on_message: Callable[[Handled], None] | None = None,
              on_outcome: Callable[[Outcome], None] | None = None) -> list[Handled]:
    """Take in every message waiting in the mailbox of ``[mailbox]``, holding the intake lock (no watcher takes in
    the inbox meanwhile): claims left by a run that stopped are finished first."""
    inbox = make_inbox(ctx, cycle, on_outcome)
    settings = ctx.config.parameters.mailbox
    handled: list[Handled] = []
    with inbox.locked("mcc mailbox", ctx.config.parameters.inbox.lock_stale_seconds):
        inbox.recover()
        source = open_source(settings, ctx.workspace.root, os.environ.get(settings.password_env))
        try:
            run = _Run(ctx, inbox, source)
            for key in source.waiting():
                try:
                    h = run.one(key)
                except FileNotFoundError:
                    continue  # moved meanwhile by another reader of the folder (a mail client, the server)
                except OSError as exc:  # it cannot be read or moved: reported, the rest of the mailbox taken in
                    h = Handled(key, "", "", MessageStatus.RECEIVED, f"left in the mailbox: it cannot be read or "
                                f"moved ({type(exc).__name__}: {exc.strerror or exc}); it is tried again next run")
                handled.append(h)
                if on_message:
                    on_message(h)
        finally:
            source.close()
    return handled


def send_answers(ctx: Context, handled: list[Handled], cycle: str | None = None, password: str | None = None):
    """Send, through the at-most-once SMTP path (``toolkit.mail.send``), the answers of the messages handled: the
    feedback on each attachment taken in (the same send record as ``mcc distribute --what feedback``, so nothing
    goes twice whichever sends it) and the mailbox's own replies and notices."""
    from toolkit.services.distribute import prepare, send_all

    ledger = ctx.ledger
    keys = [m.key for m in ledger.mail_rows("mailbox")
            if any(str(p.relative_to(ctx.workspace.root)) == m.eml_path for h in handled for p in h.answers)]
    ids = {i for h in handled for i in h.row_ids}  # judged now, or before a run that stopped (their answers too)
    if ids:
        dist = prepare(ctx, ctx.sprint(cycle), "feedback")
        keys += [m.key for m in dist.messages if int(m.key.rsplit("/", 1)[1].split("-")[0]) in ids]
    return send_all(ledger, keys, ctx.workspace.root, ctx.config.parameters.smtp, password, ctx.clock)
