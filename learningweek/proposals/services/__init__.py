"""The proposals feature's services: what views, forms and other features call.

Each module keeps one concern: `rules` (the data and its pure checks), `editing`
(saving content), `workflow` (state changes), `co_teachers`, `interest` and `queries`
(lookups for pages).
"""

from learningweek.proposals.services.co_teachers import add_co_teacher, remove_co_teacher
from learningweek.proposals.services.editing import create_proposal, update_proposal
from learningweek.proposals.services.interest import (
    interest_counts,
    set_interest,
    starred_session_ids,
)
from learningweek.proposals.services.queries import (
    coming_up,
    latest_organizer_comments,
    proposal_page_query,
    proposals_of,
    review_queue,
    status_counts,
)
from learningweek.proposals.services.rules import (
    LOCKED_AFTER_ACCEPTANCE,
    ProposalData,
    ResourceData,
    form_field_name,
    proposal_data_from,
    proposal_problems,
)
from learningweek.proposals.services.workflow import (
    IllegalTransition,
    available_actions,
    cancel_session,
    decide_proposal,
    submit_proposal,
    withdraw_proposal,
)

__all__ = [
    "LOCKED_AFTER_ACCEPTANCE",
    "IllegalTransition",
    "ProposalData",
    "ResourceData",
    "add_co_teacher",
    "available_actions",
    "cancel_session",
    "coming_up",
    "create_proposal",
    "decide_proposal",
    "form_field_name",
    "interest_counts",
    "latest_organizer_comments",
    "proposal_data_from",
    "proposal_page_query",
    "proposal_problems",
    "proposals_of",
    "remove_co_teacher",
    "review_queue",
    "set_interest",
    "starred_session_ids",
    "status_counts",
    "submit_proposal",
    "update_proposal",
    "withdraw_proposal",
]
