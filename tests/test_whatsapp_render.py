"""Rendering an Outbound into WhatsApp message objects within WhatsApp's limits, checked against the same
rules (OpenAPI sub-schemas and hand-written limits) the fake Graph API applies."""

from __future__ import annotations

import pytest

from bot.channels.whatsapp_render import render, split_text, template_message
from bot.core.delivery import Template
from bot.core.messages import Button, Document, Outbound
from tests.fakes.whatsapp_api import Rejected, check_interactive, check_template, schema_errors


def valid(parts: list[dict]) -> list[dict]:
    for part in parts:
        if part["type"] == "interactive":
            check_interactive(part["interactive"])
        elif part["type"] == "text":
            assert schema_errors("TextMessage_1", part["text"]) is None
            assert part["text"]["body"].strip()
    return parts


def buttons(*labels: str) -> tuple[Button, ...]:
    return tuple(Button(f"b:{n}", label) for n, label in enumerate(labels, 1))


def test_plain_text_is_one_text_message() -> None:
    assert valid(render(Outbound("Halo, Ibu Siti."))) == [
        {"type": "text", "text": {"body": "Halo, Ibu Siti.", "preview_url": False}}
    ]


def test_long_text_is_split_at_paragraph_boundaries() -> None:
    paragraphs = [f"Paragraf {n}. " + "kata " * 150 for n in range(20)]  # ~770 characters each
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = valid(render(Outbound(text)))
    bodies = [p["text"]["body"] for p in parts]
    assert len(bodies) == 4 and all(len(b) <= 4096 for b in bodies)
    assert all(b.startswith("Paragraf") and b.endswith("kata") for b in bodies)
    assert "\n\n".join(bodies) == text


def test_one_huge_paragraph_is_cut_between_words_then_anywhere() -> None:
    assert [len(p) for p in split_text("x" * 9000, 4096)] == [4096, 4096, 808]
    words = split_text("kata " * 2000, 4096)
    assert all(len(w) <= 4096 and not w.endswith("kat") for w in words)
    assert " ".join(words) == ("kata " * 2000).strip()


def test_up_to_three_buttons_are_reply_buttons() -> None:
    [part] = valid(
        render(Outbound("Setuju?", (Button("consent:yes", "Saya setuju"), Button("consent:no", "Tidak"))))
    )
    assert part["interactive"] == {
        "type": "button",
        "body": {"text": "Setuju?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "consent:yes", "title": "Saya setuju"}},
                {"type": "reply", "reply": {"id": "consent:no", "title": "Tidak"}},
            ]
        },
    }


def test_long_button_titles_are_cut_with_an_ellipsis_and_kept_unique() -> None:
    [part] = valid(render(Outbound("Pilih", buttons("Lanjutkan membaca sesi berikutnya", "Menu"))))
    titles = [b["reply"]["title"] for b in part["interactive"]["action"]["buttons"]]
    assert titles == ["Lanjutkan membaca s…", "Menu"]
    [part] = valid(
        render(Outbound("Pilih", buttons("Sesi berikutnya untuk Ibu A", "Sesi berikutnya untuk Ibu B")))
    )
    titles = [b["reply"]["title"] for b in part["interactive"]["action"]["buttons"]]
    assert titles == ["1. Sesi berikutnya…", "2. Sesi berikutnya…"]


def test_four_to_ten_buttons_are_a_list_with_descriptions_for_long_labels() -> None:
    labels = ("Hadir", "Tidak bisa hadir", "Belum tahu", "Menu")
    [part] = valid(render(Outbound("Apakah Ibu akan hadir?", buttons(*labels))))
    interactive = part["interactive"]
    assert interactive["type"] == "list" and interactive["action"]["button"] == "Pilih"
    assert interactive["action"]["sections"] == [
        {"rows": [{"id": f"b:{n}", "title": label} for n, label in enumerate(labels, 1)]}
    ]
    long = [f"Sesi {n}: Menjaga Kesehatan Lansia di Rumah" for n in range(10)]
    [part] = valid(render(Outbound("Pilih sesi", buttons(*long))))
    rows = part["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert rows[0] == {"id": "b:1", "title": "Sesi 0: Menjaga Kesehat…", "description": long[0]}
    # Titles that would be the same once cut are numbered instead.
    [part] = valid(render(Outbound("Pilih", buttons(*[f"{long[0]} bagian {n}" for n in range(4)]))))
    rows = part["interactive"]["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows] == [f"{n}. Sesi 0: Menjaga Kese…" for n in range(1, 5)]


def test_more_than_ten_buttons_become_numbered_text() -> None:
    labels = [f"Sesi {n}" for n in range(1, 15)]
    [part] = valid(render(Outbound("Pilih sesi:", buttons(*labels))))
    body = part["text"]["body"]
    assert body.startswith("Pilih sesi:\n\n1. Sesi 1\n2. Sesi 2\n")
    assert body.endswith("\n14. Sesi 14")


def test_a_body_over_the_interactive_limit_goes_first_as_text() -> None:
    text = "\n\n".join(f"Bagian {n}." + " isi" * 120 for n in range(6))  # ~3,000 characters
    parts = valid(render(Outbound(text, buttons("Lanjut", "Menu"))))
    assert [p["type"] for p in parts] == ["text", "interactive"]
    body = parts[-1]["interactive"]["body"]["text"]
    assert len(body) <= 1024 and body.startswith("Bagian")
    assert f"{parts[0]['text']['body']}\n\n{body}" == text


@pytest.mark.parametrize("count", [1, 3, 4, 10, 11])
def test_every_button_count_with_a_huge_body_fits(count: int) -> None:
    text = "Kalimat panjang sekali. " * 800  # ~19,000 characters, no paragraph breaks
    parts = valid(render(Outbound(text, buttons(*[f"Pilihan nomor {n}" for n in range(count)]))))
    assert len(parts) >= 5


def test_documents_carry_the_text_as_caption_when_it_fits() -> None:
    doc = Document("rekap.csv", b"a,b\n", "text/csv")
    assert render(Outbound("Rekap kehadiran", document=doc)) == [
        {"type": "document", "document": {"filename": "rekap.csv", "caption": "Rekap kehadiran"}}
    ]
    long = valid(render(Outbound("x " * 800, document=doc)))
    assert [p["type"] for p in long] == ["text", "document"] and "caption" not in long[1]["document"]
    with_buttons = valid(render(Outbound("Sudah dikirim.", buttons("Menu"), document=doc)))
    assert [p["type"] for p in with_buttons] == ["document", "interactive"]


def test_template_message_shape_and_flattened_variables() -> None:
    template = Template(
        "reminder",
        (
            "Ibu Siti",
            "Sesi 1: Menjadi Orang Tua\nyang Lebih Baik",
            "Sabtu, 5 Desember 2026 pukul 09.00 WIB",
            "",
        ),
        buttons=(("rsvp:7:yes", "Hadir"), ("rsvp:7:no", "Tidak bisa hadir")),
    )
    payload = template_message("p2k2_pengingat", "id", template)
    check_template(payload["template"])
    assert payload == {
        "type": "template",
        "template": {
            "name": "p2k2_pengingat",
            "language": {"code": "id"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ibu Siti"},
                        {"type": "text", "text": "Sesi 1: Menjadi Orang Tua yang Lebih Baik"},
                        {"type": "text", "text": "Sabtu, 5 Desember 2026 pukul 09.00 WIB"},
                        {"type": "text", "text": "-"},
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "rsvp:7:yes"}],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "1",
                    "parameters": [{"type": "payload", "payload": "rsvp:7:no"}],
                },
            ],
        },
    }


def test_the_fake_refuses_what_whatsapp_refuses() -> None:
    """The fake's rules are real: a payload over a limit is refused, so 'accepted' means something."""
    too_many = {
        "type": "button",
        "body": {"text": "x"},
        "action": {
            "buttons": [{"type": "reply", "reply": {"id": str(n), "title": str(n)}} for n in range(4)]
        },
    }
    long_title = {
        "type": "button",
        "body": {"text": "x"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "x" * 21}}]},
    }
    twins = {
        "type": "button",
        "body": {"text": "x"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": i, "title": "Sama"}} for i in "ab"]},
    }
    rows = [{"id": str(n), "title": f"Baris {n}"} for n in range(11)]
    eleven_rows = {
        "type": "list",
        "body": {"text": "x"},
        "action": {
            "button": "Pilih",
            "sections": [{"title": "A", "rows": rows[:6]}, {"title": "B", "rows": rows[6:]}],
        },
    }
    long_body = {**twins, "body": {"text": "x" * 1025}}
    for bad in (too_many, long_title, twins, eleven_rows, long_body):
        with pytest.raises(Rejected):
            check_interactive(bad)
    assert schema_errors("TextMessage_1", {"body": "x" * 4097})
