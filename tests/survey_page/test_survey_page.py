"""The citizen's page over plain HTTP, as a phone without JavaScript uses it."""

import re
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from app import clock
from app.models import Counter, Response, Unit
from app.submissions.tokens import new_page_token, read_token, sign_token
from tests.factories import page_field


@pytest.fixture
def counter(session: Session) -> Counter:
    unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
    assert unit_id is not None
    found = Counter(unit_id=unit_id, code="Q3", name="Quầy số 3", slug="page-test")
    session.add(found)
    session.flush()
    return found


def test_the_page_is_vietnamese_and_accessible_without_javascript(
    client: httpx.Client, counter: Counter
) -> None:
    page = client.get("/s/page-test")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="vi">' in html
    assert "Phường Thành Đông · Quầy số 3" in html
    assert "<script" not in html.replace('<script src="/static/survey.js" defer></script>', "")
    # five elements, overall, what to improve, and last, optional, the sector: the counter
    # serves several
    assert html.count("<fieldset") == 8
    assert "<legend>Nhìn chung, Ông/Bà hài lòng" in html
    assert html.index('name="overall"') < html.index('name="sector"')
    assert 'Thủ tục Ông/Bà vừa làm thuộc lĩnh vực nào? <span class="hint">(không bắt buộc)' in html
    sectors = re.findall(r'name="sector" value="([a-z]+)"', html)
    assert sectors[-2:] == ["other", "unknown"]  # the unsure answers last
    assert sectors[:3] == ["business", "land", "investment"]  # Đăng ký kinh doanh, Đất đai, Đầu tư
    assert 'lần này ở mức nào? <span class="required"' in html
    assert "English" in client.get("/s/page-test").text
    assert '<html lang="en">' in client.get("/s/page-test", params={"lang": "en"}).text


def test_answering_stores_one_response_and_thanks(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    html = client.get("/s/page-test").text
    response_id = page_field(html, "response_id")
    form: dict[str, str | list[str]] = {
        "token": page_field(html, "token"),
        "response_id": response_id,
        "sector": "justice",
        "overall": "2",
        "staff": "5",
        "improve": ["1", "4"],
        "comment": "Chờ hơi lâu",
    }
    posted = client.post("/s/page-test", data=form, follow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["location"] == "/s/page-test/cam-on?lang=vi"
    again = client.post("/s/page-test", data=form, follow_redirects=False)
    assert again.status_code == 303
    stored = session.exec(select(Response).where(Response.id == uuid.UUID(response_id)))
    (response,) = stored.all()
    assert (response.sector_code, response.counter_id, response.source) == (
        "justice", counter.id, "api",
    )  # fmt: skip
    thanks = client.get(posted.headers["location"])
    assert "Cảm ơn Ông/Bà đã đánh giá!" in thanks.text


def test_missing_answers_come_back_with_an_error_summary(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    html = client.get("/s/page-test").text
    form = {"token": page_field(html, "token"), "response_id": page_field(html, "response_id"),
            "staff": "4"}  # fmt: skip
    page = client.post("/s/page-test", data=form)
    assert page.status_code == 422
    assert 'class="error-summary"' in page.text
    summary = page.text[page.text.index('class="error-summary"') : page.text.index("</ul>")]
    assert re.findall(r'<a href="#q-(\w+)">([^<]*)</a>', summary) == [
        (
            "overall",
            "Nhìn chung, Ông/Bà hài lòng với việc giải quyết thủ tục lần này ở mức nào? "
            "— Xin Ông/Bà chọn một câu trả lời",
        )
    ]  # the sector is optional: no error for it
    assert 'value="4" checked' in page.text  # what was answered is kept
    assert session.exec(select(Response).where(Response.counter_id == counter.id)).all() == []


def test_a_post_without_a_valid_token_is_refused(client: httpx.Client, counter: Counter) -> None:
    page = client.post("/s/page-test", data={"token": "123.forged", "overall": "5",
                                             "sector": "land"})  # fmt: skip
    assert page.status_code == 400


def test_tokens_are_bound_to_the_slug_the_device_and_the_secret_and_expire(
    frozen_clock: clock.FixedClock,
) -> None:
    token = sign_token("secret", "a", new_page_token("secret", "device-1"))
    read = read_token("secret", "a", token, "device-1")
    assert read is not None
    assert read.is_fresh()
    assert read_token("secret", "a", token, None) == read  # a client that keeps no cookies
    assert read_token("secret", "b", token, "device-1") is None
    assert read_token("secret", "a", token, "device-2") is None
    assert read_token("other", "a", token, "device-1") is None
    frozen_clock.advance(timedelta(hours=5))
    assert not read.is_fresh()


def test_an_unknown_link_is_a_404_page_in_vietnamese(client: httpx.Client) -> None:
    page = client.get("/s/nothing-here")
    assert page.status_code == 404
    assert "Không tìm thấy phiếu khảo sát" in page.text


def test_the_full_form_checks_each_page_before_the_next(
    client: httpx.Client, counter: Counter
) -> None:
    html = client.get("/s/page-test", params={"form": "sipas-service"}).text
    assert "Phần 1/7" in html
    fields: dict[str, str] = {
        "token": page_field(html, "token"), "response_id": page_field(html, "response_id"),
        "form_id": "sipas-service", "form_version": "1", "sector": "land",
    }  # fmt: skip
    overall_page = client.post("/s/page-test", data={**fields, "page": "5", "action": "next"})
    assert overall_page.status_code == 422
    assert re.search(r'<a href="#q-overall">[^<]+ — Xin Ông/Bà chọn một câu trả lời</a>',
                     overall_page.text)  # fmt: skip
    answered = {**fields, "page": "5", "action": "next", "overall": "4", "access_info": "2"}
    profile_page = client.post("/s/page-test", data=answered)
    assert profile_page.status_code == 200
    assert "Phần 7/7" in profile_page.text
    # The answers of the other pages travel along as hidden fields.
    assert '<input type="hidden" name="access_info" value="2">' in profile_page.text


def test_an_address_may_not_pick_a_form_of_another_channel(
    client: httpx.Client, counter: Counter
) -> None:
    html = client.get("/s/page-test", params={"form": "online-service"}).text
    assert 'name="form_id" value="counter-quick"' in html


def test_the_thank_you_page_names_the_unit_and_its_official_channels(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    plain = client.get("/s/page-test/cam-on").text
    assert "Phường Thành Đông" in plain
    assert "Ông/Bà có thể đóng trang này." in plain
    assert "Đường dây nóng" not in plain  # none set: no made-up number
    unit = session.get(Unit, counter.unit_id)
    assert unit is not None
    assert unit.parent_id is not None
    city = session.get(Unit, unit.parent_id)
    assert city is not None
    city.feedback_phone, unit.feedback_url = "0225 3 000 000", "https://phananh.example.vn/"
    session.add_all([city, unit])
    session.flush()
    html = client.get("/s/page-test/cam-on").text
    assert '<a href="tel:02253000000">0225 3 000 000</a>' in html  # the city's, inherited
    assert '<a href="https://phananh.example.vn/" rel="noopener">' in html
    english = client.get("/s/page-test/cam-on", params={"lang": "en"}).text
    assert "You may close this page." in english


def test_a_kiosk_tap_with_a_stale_token_gets_the_faces_again_and_stores_nothing(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    counter.sector_code = "land"  # a counter-quick counter of one sector: the faces
    session.add(counter)
    session.flush()
    faces = client.get("/s/page-test", params={"kiosk": "1"}).text
    assert 'id="kiosk-faces"' in faces
    fields = {"token": "1.2.3.4", "mode": "tap", "action": "send", "overall": "5",
              "form_id": "counter-quick", "form_version": "1"}  # fmt: skip
    refused = client.post("/s/page-test", params={"kiosk": "1"}, data=fields)
    assert refused.status_code == 400
    assert 'id="kiosk-faces"' in refused.text
    assert "Phiên khảo sát đã hết hạn, xin gửi lại" in refused.text
    assert session.exec(select(Response).where(Response.counter_id == counter.id)).all() == []
