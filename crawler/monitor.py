"""The per-portal status table of the archive (`portal_status`, one row per portal, rewritten by
each crawl) and its log (`portal_events`, one row per thing that went wrong), both shown by
Datasette. A portal that used to yield reports and yields none gets a warning."""
from __future__ import annotations

import json
import logging

from archive.store import now

log = logging.getLogger(__name__)

STATUS_COLUMNS = {
    "portal": str, "code": str, "level": str, "parent": str, "platform": str, "start_urls": str,
    "status": str, "reason": str, "reports_found": int, "reports_new": int, "failed": int, "blocked": int,
    "pages": int, "refused": int, "last_run_id": int, "last_crawl": str, "last_success": str, "most_found": int, "warning": str,
    # Coverage: the items the portal's lists say they hold (recordCount, 共N条 …) and those reached
    # in those lists; `coverage` names each list reached short of what it declares.
    "declared": int, "reached": int, "coverage": str,
}
EVENT_COLUMNS = {"id": int, "run_id": int, "portal": str, "at": str, "url": str, "kind": str, "reason": str}


# Report files a spider found but could not archive, per portal (keyed by its start URLs, which
# the spider and the entry given to `record` share), waiting to be written with the portal's
# other events.
_unarchived: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}


def note_unarchived(start_urls, url: str, status: str, reason: str) -> None:
    """A corrupt, password-protected, oversized… attachment: `status` is its kind of failure
    (corrupt, encrypted, zip_bomb, too_large, unreadable), the event's kind in portal_events."""
    _unarchived.setdefault(tuple(start_urls or ()), []).append((status, url, reason))


def failure_status(reason: str) -> str:
    """The recorded status of a report file that could not be read, from the parser's reason."""
    r = reason.lower()
    if "password" in r or "encrypted" in r:
        return "encrypted"
    if "zip bomb" in r:
        return "zip_bomb"
    if r.startswith("too large") or "too large" in r:
        return "too_large"
    if "damaged" in r or "truncated" in r or "corrupt" in r:
        return "corrupt"
    if "timed out" in r:
        return "timeout"
    return "unreadable"


def ensure_tables(db) -> None:
    if not db["portal_status"].exists():
        db["portal_status"].create(STATUS_COLUMNS, pk="portal", not_null={"portal"})
        db["portal_status"].create_index(["status"], if_not_exists=True)
    else:
        have = db["portal_status"].columns_dict
        for name, kind in STATUS_COLUMNS.items():
            if name not in have:  # an archive made before the column existed
                db["portal_status"].add_column(name, kind)
    if not db["portal_events"].exists():
        db["portal_events"].create(EVENT_COLUMNS, pk="id")
        db["portal_events"].create_index(["portal"], if_not_exists=True)
        db["portal_events"].create_index(["run_id"], if_not_exists=True)
    if "refused" not in db["portal_status"].columns_dict:
        db["portal_status"].add_column("refused", int)  # archives made before the fetch policy


def clean_portals(db) -> set[str]:
    """Portals whose last crawl ended ok with nothing failed."""
    if not db["portal_status"].exists():
        return set()
    return {p for (p,) in db.execute("select portal from portal_status where status = 'ok' and failed = 0")}


def record(db, run_id: int, entry: dict, status: str, reason: str | None, *, found: int = 0, new: int = 0,
           failed: int = 0, pages: int = 0, refused: int = 0, events: list[tuple[str, str, str]] = (),
           declared: int | None = None, reached: int | None = None, short: list[str] = ()) -> dict:
    """Write one portal's outcome of run `run_id`; returns the row (with any warning). Attachments
    its spider could not archive are added to its events and to its failed count."""
    ensure_tables(db)
    unarchived = _unarchived.pop(tuple(entry.get("start_urls") or ()), [])
    events = [*events, *sorted(unarchived, key=lambda e: e[1])]
    failed += len(unarchived)
    name = entry["name"]
    old = next(db.query("select * from portal_status where portal = ?", [name]), None) or {}
    at = now()
    warning = None
    most = max(old.get("most_found") or 0, found)
    if found == 0 and (old.get("most_found") or 0) > 0:
        warning = (f"yielded {old['most_found']} reports before (last success {old.get('last_success')}), "
                   f"none now: {status}" + (f" ({reason})" if reason else ""))
        log.warning("portal %s: %s", name, warning)
    if short:
        # Fewer reached than the lists declare: later pages that no link or known script leads to.
        gap = (f"lists declare {declared} items, {reached} reached; " if declared is not None and reached is not None
               and reached < declared else "")
        warning = "; ".join(filter(None, [warning, f"{gap}{len(short)} lists not reached in full: " + "; ".join(short[:5])]))
        log.warning("portal %s: %s", name, warning)
    row = {
        "portal": name, "code": entry.get("code"), "level": entry.get("level"), "parent": entry.get("parent"),
        "platform": entry.get("platform"), "start_urls": json.dumps(entry.get("start_urls") or [], ensure_ascii=False),
        "status": status, "reason": reason, "reports_found": found, "reports_new": new, "failed": failed,
        "blocked": int(status == "blocked"), "pages": pages, "refused": refused, "last_run_id": run_id, "last_crawl": at,
        "last_success": at if status == "ok" and found else old.get("last_success"), "most_found": most,
        "warning": warning, "declared": declared, "reached": reached,
        "coverage": "\n".join(short) or None,
    }
    with db.conn:
        db["portal_status"].upsert(row, pk="portal")
        db["portal_events"].insert_all(
            ({"run_id": run_id, "portal": name, "at": at, "url": url, "kind": kind, "reason": why}
             for kind, url, why in events), pk="id")
    return row


def record_outcome(db, run_id: int, entry: dict, outcome, stats: dict, *, found: int, new: int) -> dict:
    """Record one portal's crawl from its spider's outcome and its stats: status and reason,
    one event per problem (start failures, errors, notes, refused links, blocking, robots.txt,
    coverage shortfalls) and the counts. The one place a crawl, local or distributed, says
    how a portal went."""
    status, reason = outcome.status()
    if status == "ok" and stats.get("xxgk/failed"):
        reason = "; ".join(filter(None, [reason, f"{stats['xxgk/failed']} reports could not be parsed"]))
    start = entry["start_urls"][0]
    events = [("start_failed", start, r) for r in outcome.start_errors]
    events += [("error", url, r) for url, r in outcome.errors]
    events += [("note", start, n) for n in outcome.notes]
    events += [("refused", url, r) for url, r in outcome.refused]
    if outcome.blocked:
        events.append(("blocked", start, outcome.blocked))
    if outcome.robots_refusal or outcome.forbidden:
        events.append(("disallowed", (outcome.forbidden or entry["start_urls"])[0],
                       outcome.robots_refusal or "robots.txt forbids it"))
    declared, reached, short = outcome.coverage()
    events += [("coverage", start, c) for c in short]
    return record(db, run_id, entry, status, reason, found=found, new=new,
                  failed=stats.get("xxgk/failed", 0) + len(outcome.errors), pages=stats.get("response_received_count", 0),
                  refused=len(outcome.refused), events=events, declared=declared, reached=reached, short=short)
