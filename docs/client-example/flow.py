"""The desk's main flow through a client generated from DOM's /openapi.json.

Registers a worker, registers a family request, ranks the candidates, proposes the
best one and records the hire, with typed models only (see README.md for the commands).
"""

import datetime
import json
import os
import sys

from dom_client import AuthenticatedClient
from dom_client.api.proposals import get_proposal, propose, record_outcome
from dom_client.api.requests import create_request, list_candidates
from dom_client.api.workers import create_worker, get_worker
from dom_client.models import (
    Candidates,
    Error,
    OutcomeInput,
    OutcomeKind,
    ProposalOut,
    ProposeBody,
    Reporter,
    Request,
    RequestInput,
    Worker,
    WorkerInput,
)


def ok(answer, kind):
    """The typed answer, or stop with the API's error object."""
    if isinstance(answer, Error):
        sys.exit(f"{answer.error.code}: {answer.error.message} ({answer.error.field})")
    if not isinstance(answer, kind):
        sys.exit(f"unexpected answer: {answer!r}")
    return answer


def main():
    url = os.environ.get("DOM_URL", "http://127.0.0.1:8080")
    token = os.environ.get("DOM_TOKEN", "demo-sportello")
    doc = json.load(open(os.environ.get("DOM_OPENAPI", "../openapi.json")))
    examples = {
        path: doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"]
        for path in ("/api/v1/workers", "/api/v1/requests")
    }
    client = AuthenticatedClient(base_url=url, token=token)
    today = datetime.date.today()

    # 1. Register a worker: the document's example (the demo's first card), another person.
    body = dict(examples["/api/v1/workers"], given_name="Oksana", family_name="Kovalenko",
                phone="+39 347 5550101", nationality=None, gender=None)
    body["consent"] = {"given_on": today.isoformat()}
    worker = ok(create_worker.sync(client=client, body=WorkerInput.from_dict(body),
                                   allow_duplicate=True), Worker)
    again = ok(get_worker.sync(worker.id, client=client), Worker)
    assert again.id == worker.id and again.gender is None and again.permit.expires_on is None
    print(f"worker   {worker.id}  {worker.given_name} {worker.family_name}, "
          f"{[j.value for j in worker.jobs]}, read back with null gender/nationality")

    # 2. A family request (the demo's Rossi request, starting in two weeks).
    body = dict(examples["/api/v1/requests"], family_name="Bianchi", phone="+39 0564 555010",
                start_on=(today + datetime.timedelta(days=14)).isoformat())
    request = ok(create_request.sync(client=client, body=RequestInput.from_dict(body)), Request)
    print(f"request  {request.id}  {request.job.value} in {request.comune}, "
          f"{request.hours_per_week} h/week, status {request.status.value}")

    # 3. Ranked candidates with the reasons of each score.
    ranked = ok(list_candidates.sync(request.id, client=client, limit=5), Candidates)
    for c in ranked.candidates:
        print(f"candidate {c.worker_id}  score {c.score:5.1f}  "
              + "; ".join(f"{r.factor} {r.points:+.1f}" for r in c.reasons[:3]))
    if not ranked.candidates:
        sys.exit("no candidate for the request")

    # 4. Propose the best one; the answer carries the code printed for the family.
    best = ranked.candidates[0]
    proposal = ok(propose.sync(request.id, client=client,
                               body=ProposeBody(worker_id=best.worker_id)), ProposalOut)
    print(f"proposal {proposal.id}  code {proposal.outcome_code}, "
          f"{len(proposal.follow_ups)} follow-ups scheduled")

    # 5. The family hired: record the outcome.
    outcome = OutcomeInput(outcome=OutcomeKind.HIRED, reported_by=Reporter.FAMILY,
                           start_on=today + datetime.timedelta(days=14))
    done = ok(record_outcome.sync(proposal.id, client=client, body=outcome), ProposalOut)
    read = ok(get_proposal.sync(done.id, client=client), ProposalOut)
    print(f"outcome  {read.outcome.outcome.value} reported by {read.outcome.reported_by.value}, "
          f"start {read.outcome.start_on}")


if __name__ == "__main__":
    main()
