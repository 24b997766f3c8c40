"""The 202 answer, serialised by pydantic once, is byte for byte what FastAPI's
``response_model`` pass (dump, validate, ``JSONResponse``) wrote before."""

from __future__ import annotations

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from hypothesis import given
from hypothesis import strategies as st

from gigalert_ingest.api.app import _accepted, _answer
from gigalert_ingest.schemas import IngestAnswer, ItemError, ItemResult, Outcome

_text = st.text(st.characters(codec="utf-8"), max_size=12)  # no lone surrogates: not storable
_errors = st.lists(
    st.builds(
        ItemError,
        loc=st.lists(st.one_of(_text, st.integers(0, 10**6)), max_size=3),
        msg=_text,
        type=_text,
    ),
    max_size=2,
)
_results = st.lists(
    st.builds(
        ItemResult,
        index=st.integers(0, 500),
        external_id=st.none() | _text,
        status=st.sampled_from(Outcome),
        gig_id=st.none() | st.uuids().map(str),
        errors=_errors,
    ),
    max_size=5,
)


@given(results=_results)
def test_the_answer_is_written_as_fastapi_wrote_it(results: list[ItemResult]) -> None:
    answer = _answer(results)
    before = JSONResponse(
        jsonable_encoder(IngestAnswer.model_validate(answer.model_dump()).model_dump(mode="json")),
        status_code=202,
    )
    now = _accepted(answer)
    assert now.body == before.body
    assert now.status_code == 202
    assert now.headers["content-type"] == before.headers["content-type"]
