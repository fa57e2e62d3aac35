"""Printing: the printers and label templates the station knows, what each label of a
recorded tag or Retail ID unit says, rendering labels to files, and print jobs, persistent
and exactly-once-or-visibly-uncertain:

- :mod:`.jobs`: creating a job (one label per tag and copy) and reading jobs back;
- :mod:`.units`: creating a job of Retail ID unit labels (one per unit code);
- :mod:`.leases`: which station holds a job while printing it;
- :mod:`.runner`: sending a job in chunks, checking the printer between them;
- :mod:`.control`: resume (deciding on uncertain labels), pause, cancel;
- :mod:`.queueing`: the one step that queues labels of either kind, with the reprint guard;
- :mod:`.at_once`: queue and send at once, the call every front end makes to print.
"""

from station.services.printing.at_once import (
    Queued,
    TagLabels,
    UnitLabels,
    print_now,
    queue,
    resume_now,
)
from station.services.printing.control import (
    PAUSED_BY_OPERATOR,
    UncertainLabels,
    cancel,
    clear_printer,
    prepare_resume,
    request_pause,
)
from station.services.printing.jobs import (
    MAX_COPIES,
    JobSummary,
    create_job,
    get_job,
    items,
    job_summary,
    print_target,
    summaries,
    uncertain_uids,
)
from station.services.printing.runner import JobRunner, Outcome
from station.services.printing.units import MAX_UNITS, create_unit_job

__all__ = [
    "MAX_COPIES",
    "MAX_UNITS",
    "PAUSED_BY_OPERATOR",
    "JobRunner",
    "JobSummary",
    "Outcome",
    "Queued",
    "TagLabels",
    "UncertainLabels",
    "UnitLabels",
    "cancel",
    "clear_printer",
    "create_job",
    "create_unit_job",
    "get_job",
    "items",
    "job_summary",
    "prepare_resume",
    "print_now",
    "print_target",
    "queue",
    "request_pause",
    "resume_now",
    "summaries",
    "uncertain_uids",
]
