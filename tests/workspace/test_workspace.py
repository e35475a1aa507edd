"""The ministry workspace: staff keep their own ministry's regulations and documents."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.regulations.models import LegalDocument, Regulation, RegulationEvent
from portal.regulations.services import local_today
from tests.conftest import csv_bytes, regulation_row


@pytest.fixture
def catalogue(make_regulations):
    make_regulations(
        regulation_row("BVH-1"),
        regulation_row("BVH-2", published="0", title="Cấp giấy phép tổ chức lễ hội truyền thống"),
        regulation_row("BYT-1", ministry="byt", field="Y tế", title="Cấp chứng chỉ hành nghề dược"),
        regulation_row(
            "BYT-2",
            ministry="byt",
            published="0",
            field="Y tế",
            title="Công bố tiêu chuẩn chất lượng mỹ phẩm nhập khẩu",
        ),
    )


@pytest.fixture
def staff(create_user, login, catalogue):
    user = create_user("staff", ministry="bvhttdl", display_name="Đinh Văn Khoa")
    login(user)
    return user


def form(**values):
    data = {
        "code": "BVH-NEW",
        "kind": "condition",
        "title": "Điều kiện kinh doanh dịch vụ karaoke",
        "field": "Văn hóa",
        "status": "in_force",
        "published": "y",
        "legal_basis": "54/2019/NĐ-CP Điều 4",
        "content": "Phòng hát có diện tích từ 20 m² trở lên.",
        "time_hours": "",
        "cost_vnd": "",
        "frequency": "",
        "subjects": "",
        "document_number": "",
        "note": "",
    }
    data.update(values)
    return data


def regulation(code):
    db.session.expire_all()
    return db.session.scalar(select(Regulation).where(Regulation.code == code))


def test_the_backlog_lists_unpublished_and_incomplete_regulations(client, staff):
    page = client.get("/workspace/bvhttdl").get_data(as_text=True)
    assert "BVH-2" in page and "Cấp giấy phép tổ chức lễ hội truyền thống" in page
    assert "BYT-2" not in page  # another ministry's backlog
    assert "chưa công khai" in page
    everything = client.get("/workspace/bvhttdl?show=all").get_data(as_text=True)
    assert "BVH-1" in everything and "BVH-2" in everything


def test_staff_create_a_regulation_with_the_importers_rules(client, staff):
    bad = client.post(
        "/workspace/bvhttdl/regulations/new",
        data=form(legal_basis="không phải số văn bản", frequency="abc", subjects="10"),
    )
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Có lỗi" in page
    # The importer's own messages, each linked from the summary to its field.
    assert "không bắt đầu bằng số hiệu văn bản" in page and 'href="#legal_basis"' in page
    assert "phải là số lần mỗi năm" in page and 'href="#frequency"' in page
    shape = client.post("/workspace/bvhttdl/regulations/new", data=form(kind="xyz", title=""))
    assert shape.status_code == 400
    assert "Lựa chọn không hợp lệ" in shape.get_data(as_text=True)
    assert regulation("BVH-NEW") is None
    response = client.post("/workspace/bvhttdl/regulations/new", data=form())
    assert response.status_code in (302, 303)
    created = regulation("BVH-NEW")
    assert created.ministry.code == "bvhttdl" and created.published
    assert created.bases[0].document.number == "54/2019/NĐ-CP"
    [event] = created.events
    assert (event.kind, event.source, event.actor_id) == ("created", "web", staff.id)
    detail = client.get("/regulations/BVH-NEW").get_data(as_text=True)
    assert "Đinh Văn Khoa" in detail
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_label == "BVH-NEW"))
        == "regulation.created"
    )


def test_a_code_already_used_is_refused(client, staff):
    response = client.post("/workspace/bvhttdl/regulations/new", data=form(code="byt-1"))
    assert response.status_code == 400
    assert "đã được dùng" in response.get_data(as_text=True)


def test_editing_records_who_changed_what_with_the_amending_document(client, staff):
    response = client.post(
        "/workspace/bvhttdl/regulations/BVH-1/edit",
        data=form(
            code="ignored",
            kind="procedure",
            title="Cấp Giấy phép kinh doanh dịch vụ lữ hành quốc tế BVH-1",
            field="Du lịch",
            legal_basis="168/2017/NĐ-CP Điều 5; 09/2017/QH14",
            content="Hồ sơ nộp trực tuyến trên Cổng Dịch vụ công quốc gia.",
            time_hours="8",
            cost_vnd="3000000",
            frequency="0.2",
            subjects="300",
            document_number="94/2021/NĐ-CP",
            note="Cắt giảm thời gian chuẩn bị hồ sơ.",
        ),
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:3000]
    changed = regulation("BVH-1")
    assert changed.code == "BVH-1" and changed.time_hours == 8
    event = changed.events[-1]
    assert event.kind == "amended"
    assert event.document.number == "94/2021/NĐ-CP"
    assert event.actor_id == staff.id and "content" in event.changed_fields
    page = client.get("/regulations/BVH-1").get_data(as_text=True)
    assert "Cắt giảm thời gian chuẩn bị hồ sơ." in page and "Đinh Văn Khoa" in page


def test_publish_and_withdraw(client, staff):
    client.post("/workspace/bvhttdl/regulations/BVH-2/publication", data={"publish": "1"})
    assert regulation("BVH-2").published
    assert client.get("/regulations/BVH-2", headers={"Cookie": ""}).status_code == 200
    client.post("/workspace/bvhttdl/regulations/BVH-2/publication", data={"publish": "0"})
    assert not regulation("BVH-2").published
    kinds = [event.kind for event in regulation("BVH-2").events]
    assert kinds[-2:] == ["published", "unpublished"]


def test_abolish_with_the_abolishing_document(client, staff):
    future = client.post(
        "/workspace/bvhttdl/regulations/BVH-1/abolish",
        data={"event_date": "2099-01-01", "document_number": "15/2026/NĐ-CP"},
    )
    assert future.status_code == 400 and "tương lai" in future.get_data(as_text=True)
    before_creation = client.post(
        "/workspace/bvhttdl/regulations/BVH-1/abolish",
        data={"event_date": "2000-01-01", "document_number": "15/2026/NĐ-CP"},
    )
    assert before_creation.status_code == 400
    today = local_today().isoformat()
    response = client.post(
        "/workspace/bvhttdl/regulations/BVH-1/abolish",
        data={"event_date": today, "document_number": "15/2026/NĐ-CP", "note": "Bãi bỏ."},
    )
    assert response.status_code in (302, 303)
    abolished = regulation("BVH-1")
    assert abolished.status == "abolished"
    assert abolished.events[-1].document.number == "15/2026/NĐ-CP"
    again = client.post(
        "/workspace/bvhttdl/regulations/BVH-1/abolish",
        data={"event_date": today, "document_number": "15/2026/NĐ-CP"},
    )
    assert again.status_code == 400


def test_staff_cannot_touch_another_ministrys_regulations(client, staff):
    assert client.get("/workspace/byt").status_code == 403
    assert client.get("/workspace/byt/regulations/BYT-1/edit").status_code == 403
    assert (
        client.post(
            "/workspace/byt/regulations/BYT-2/publication", data={"publish": "1"}
        ).status_code
        == 403
    )
    # Through their own workspace's address, another ministry's regulation is not there.
    assert client.get("/workspace/bvhttdl/regulations/BYT-1/edit").status_code == 403
    assert not regulation("BYT-2").published


def test_staff_see_their_unpublished_regulations_everywhere_the_public_does_not(app, client, staff):
    listing = client.get("/regulations").get_data(as_text=True)
    assert "BVH-2" in listing and "BYT-2" not in listing
    assert client.get("/regulations/BVH-2").status_code == 200
    assert client.get("/regulations/BYT-2").status_code == 404
    only_unpublished = client.get("/regulations?published=0").get_data(as_text=True)
    assert "BVH-2" in only_unpublished and "BVH-1" not in only_unpublished
    export = client.get("/regulations/export.csv").get_data(as_text=True)
    assert "BVH-2" in export and "BYT-2" not in export
    found = client.get("/search?q=lễ hội truyền thống").get_data(as_text=True)
    assert "BVH-2" in found
    guest = app.test_client()
    assert "BVH-2" not in guest.get("/regulations").get_data(as_text=True)
    assert guest.get("/regulations/BVH-2").status_code == 404
    assert "BVH-2" not in guest.get("/search?q=lễ hội truyền thống").get_data(as_text=True)


def test_an_administrator_sees_every_unpublished_regulation(client, create_user, login, catalogue):
    login(create_user("admin"))
    listing = client.get("/regulations?published=0").get_data(as_text=True)
    assert "BVH-2" in listing and "BYT-2" in listing


def upload(client, data, name="quy-dinh.csv"):
    return client.post(
        "/workspace/bvhttdl/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_importing_the_ministrys_own_file(client, staff):
    data = csv_bytes([regulation_row("BVH-3"), regulation_row("BVH-1", title="Tên mới BVH-1")])
    response = upload(client, data)
    assert response.status_code == 200
    assert "Đã nhập tệp" in response.get_data(as_text=True)
    assert regulation("BVH-3").events[0].actor_id == staff.id
    assert regulation("BVH-1").title == "Tên mới BVH-1"


def test_rows_of_another_ministry_refuse_the_whole_file(client, staff):
    data = csv_bytes(
        [regulation_row("BVH-4"), regulation_row("BYT-9", ministry="byt"), regulation_row("BYT-1")]
    )
    response = upload(client, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa nhập dữ liệu nào" in page
    assert "Dòng 3" in page and "thuộc bộ, ngành khác" in page
    assert "Dòng 4" in page and "BYT-1" in page  # would take over another ministry's code
    assert regulation("BVH-4") is None and regulation("BYT-9") is None


def test_only_csv_and_xlsx_files(client, staff):
    response = upload(client, b"%PDF-1.4", name="quy-dinh.pdf")
    assert response.status_code == 400
    assert ".csv" in response.get_data(as_text=True)


def test_documents_kept_by_the_ministry(client, staff):
    response = client.post(
        "/workspace/bvhttdl/documents/new",
        data={
            "number": "12/2026/TT-BVHTTDL",
            "doc_type": "",
            "title": "Thông tư quy định về lễ hội",
            "issued_date": "2026-03-01",
            "effective_date": "2026-02-01",
        },
    )
    assert response.status_code == 400
    assert "trước ngày ban hành" in response.get_data(as_text=True)
    response = client.post(
        "/workspace/bvhttdl/documents/new",
        data={
            "number": "12/2026/TT-BVHTTDL",
            "doc_type": "",
            "title": "Thông tư quy định về lễ hội",
            "issued_date": "2026-03-01",
            "effective_date": "2026-04-15",
        },
    )
    assert response.status_code in (302, 303)
    document = db.session.scalar(
        select(LegalDocument).where(LegalDocument.number == "12/2026/TT-BVHTTDL")
    )
    assert document.doc_type == "circular" and document.issuer.code == "bvhttdl"
    response = client.post(
        f"/workspace/bvhttdl/documents/{document.slug}/edit",
        data={
            "number": "x",
            "doc_type": "circular",
            "title": "Tên đã sửa",
            "issued_date": "2026-03-01",
            "effective_date": "",
        },
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert document.title == "Tên đã sửa" and document.number == "12/2026/TT-BVHTTDL"
    duplicate = client.post(
        "/workspace/bvhttdl/documents/new",
        data={"number": "12/2026/tt-bvhttdl", "title": "Trùng"},
    )
    assert duplicate.status_code == 400


def test_history_events_name_their_author_only_for_web_changes(client, staff):
    events = db.session.scalars(select(RegulationEvent)).all()
    assert all(event.actor_id is None for event in events)  # file imports carry no person


def test_saving_without_a_change_says_so_and_records_nothing(client, staff):
    page = client.get("/workspace/bvhttdl/regulations/BVH-1/edit").get_data(as_text=True)
    assert 'name="code"' not in page  # the code is not editable
    before = len(regulation("BVH-1").events)
    data = form(
        kind="procedure",
        title="Cấp Giấy phép kinh doanh dịch vụ lữ hành quốc tế BVH-1",
        field="Du lịch",
        legal_basis="168/2017/NĐ-CP Điều 5; 09/2017/QH14",
        content="Doanh nghiệp nộp hồ sơ tại Tổng cục Du lịch.",
        time_hours="16",
        cost_vnd="3000000",
        frequency="0.2",
        subjects="300",
        note="Không có gì mới.",
    )
    response = client.post(
        "/workspace/bvhttdl/regulations/BVH-1/edit", data=data, follow_redirects=True
    )
    assert "Không có gì thay đổi" in response.get_data(as_text=True)
    assert len(regulation("BVH-1").events) == before


def test_relations_between_documents(client, staff, app):
    from portal.regulations.services import create_document

    create_document("01/2026/TT-BVHTTDL", title="Thông tư hướng dẫn", issuer_id=staff.ministry_id)
    db.session.commit()
    document = db.session.scalar(
        select(LegalDocument).where(LegalDocument.number == "01/2026/TT-BVHTTDL")
    )
    base = f"/workspace/bvhttdl/documents/{document.slug}"
    bad = client.post(f"{base}/relations", data={"kind": "guides", "target": "không có số"})
    assert bad.status_code == 400 and "Có lỗi" in bad.get_data(as_text=True)
    response = client.post(f"{base}/relations", data={"kind": "guides", "target": "168/2017/NĐ-CP"})
    assert response.status_code in (302, 303)
    again = client.post(
        f"{base}/relations",
        data={"kind": "guides", "target": "168/2017/nđ-cp"},
        follow_redirects=True,
    )
    assert "đã được ghi nhận" in again.get_data(as_text=True)
    public = app.test_client().get(f"/documents/{document.slug}").get_data(as_text=True)
    assert "168/2017/NĐ-CP" in public
    edit = client.get(f"{base}/edit").get_data(as_text=True)
    assert edit.count('id="csrf_token"') == 0  # many forms on one page, no duplicate ids
    from portal.regulations.models import DocumentRelation

    relation = db.session.scalar(select(DocumentRelation))
    client.post(f"{base}/relations/{relation.id}/delete")
    assert db.session.scalar(select(DocumentRelation)) is None
